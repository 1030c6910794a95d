/**
 * The local KMS: symmetric keys whose every use is authorized through the local IAM against the
 * caller's identity policies and the key policy, as KMS does. S3 calls it in process (as the caller,
 * so SSE-KMS needs the caller's kms permissions); the KMS API serves it to SDK clients.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AccessControl, PolicyDocument, Principal } from '../iam/types';
import type { ResolvedResource } from '../types';
import { unpackCiphertextBlob } from './ciphertext-blob';
import { KmsError } from './errors';
import { EncryptionContext, openWithKey, sealWithKey } from './symmetric-key';

export interface LocalKmsOptions {
  readonly accessControl: AccessControl;
  /** Default 'us-east-1'. */
  readonly region?: string;
  /** Default '123456789012'. */
  readonly accountId?: string;
}

export interface CreateKeyInput {
  /** Default: a fresh uuid, as KMS names keys. */
  readonly keyId?: string;
  /** Default: arn:aws:kms:<region>:<account>:key/<keyId>. */
  readonly arn?: string;
  /** Without one, only identity policies decide (KMS's default key policy delegates to the account anyway). */
  readonly keyPolicy?: PolicyDocument;
  readonly description?: string;
  /** Default true. */
  readonly enabled?: boolean;
}

export interface KmsKeyMetadata {
  readonly keyId: string;
  readonly arn: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly creationDate: Date;
  readonly aliases: readonly string[];
}

/** Extra context a caller acting through another service adds, e.g. S3 for SSE-KMS. */
export interface KmsCallOptions {
  readonly encryptionContext?: EncryptionContext;
  /** `kms:ViaService`, e.g. s3.us-east-1.amazonaws.com. */
  readonly viaService?: string;
}

export interface GeneratedDataKey {
  readonly keyArn: string;
  readonly plaintext: Buffer;
  readonly ciphertextBlob: Buffer;
}

interface StoredKey {
  readonly metadata: Omit<KmsKeyMetadata, 'aliases' | 'enabled'>;
  enabled: boolean;
  keyPolicy?: PolicyDocument;
  readonly material: Buffer;
}

const ALIAS_PREFIX = 'alias/';

export class LocalKms {
  readonly region: string;
  readonly accountId: string;
  private readonly accessControl: AccessControl;
  private readonly keys = new Map<string, StoredKey>();
  private readonly aliases = new Map<string, string>();

  constructor(options: LocalKmsOptions) {
    this.accessControl = options.accessControl;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
  }

  createKey(input: CreateKeyInput = {}): { keyId: string; arn: string } {
    const keyId = input.keyId ?? randomUUID();
    if (this.keys.has(keyId)) throw new KmsError('AlreadyExistsException', `Key ${keyId} already exists`);
    const arn = input.arn ?? `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`;
    this.keys.set(keyId, {
      metadata: { keyId, arn, description: input.description ?? '', creationDate: new Date() },
      enabled: input.enabled ?? true,
      keyPolicy: input.keyPolicy,
      material: randomBytes(32),
    });
    return { keyId, arn };
  }

  /** An AWS::KMS::Key the runner resolved: its physical id is the key id, its Arn attribute the ARN. */
  createKeyFromResource(resource: ResolvedResource): { keyId: string; arn: string } {
    const props = resource.properties;
    return this.createKey({
      keyId: resource.physicalId,
      arn: resource.attributes.Arn,
      keyPolicy: props.KeyPolicy as PolicyDocument | undefined,
      description: typeof props.Description === 'string' ? props.Description : undefined,
      enabled: props.Enabled === undefined ? true : props.Enabled === true || props.Enabled === 'true',
    });
  }

  createAlias(aliasName: string, targetKeyId: string): void {
    if (!aliasName.startsWith(ALIAS_PREFIX)) throw new KmsError('ValidationException', `Alias ${aliasName} must begin with ${ALIAS_PREFIX}`);
    if (this.aliases.has(aliasName)) throw new KmsError('AlreadyExistsException', `Alias ${aliasName} already exists`);
    this.aliases.set(aliasName, this.find(targetKeyId).metadata.keyId);
  }

  /** An AWS::KMS::Alias: AliasName and TargetKeyId (a resolved Ref to the key: its id). */
  createAliasFromResource(resource: ResolvedResource): void {
    this.createAlias(String(resource.properties.AliasName), String(resource.properties.TargetKeyId));
  }

  setKeyPolicy(keyIdOrArn: string, keyPolicy: PolicyDocument | undefined): void {
    this.find(keyIdOrArn).keyPolicy = keyPolicy;
  }

  setEnabled(keyIdOrArn: string, enabled: boolean): void {
    this.find(keyIdOrArn).enabled = enabled;
  }

  /** Accepts what KMS's KeyId parameter accepts: key id, key ARN, alias name or alias ARN. */
  describeKey(principal: Principal, keyIdOrArn: string): KmsKeyMetadata {
    const key = this.find(keyIdOrArn);
    this.authorize(principal, 'kms:DescribeKey', key, {});
    return this.metadataOf(key);
  }

  /** The key's ARN, or undefined for an unknown key; no authorization (S3 uses it to name keys in headers). */
  keyArnOf(keyIdOrArn: string): string | undefined {
    return this.tryFind(keyIdOrArn)?.metadata.arn;
  }

  generateDataKey(principal: Principal, keyIdOrArn: string, options: KmsCallOptions & { numberOfBytes?: number } = {}): GeneratedDataKey {
    const key = this.usableKey(principal, 'kms:GenerateDataKey', keyIdOrArn, options);
    const numberOfBytes = options.numberOfBytes ?? 32;
    if (!Number.isInteger(numberOfBytes) || numberOfBytes < 1 || numberOfBytes > 1024) {
      throw new KmsError('ValidationException', 'NumberOfBytes must be an integer from 1 to 1024');
    }
    const plaintext = randomBytes(numberOfBytes);
    return {
      keyArn: key.metadata.arn,
      plaintext,
      ciphertextBlob: sealWithKey(key.metadata.keyId, key.material, plaintext, options.encryptionContext),
    };
  }

  encrypt(principal: Principal, keyIdOrArn: string, plaintext: Uint8Array, options: KmsCallOptions = {}): { keyArn: string; ciphertextBlob: Buffer } {
    if (plaintext.length < 1 || plaintext.length > 4096) throw new KmsError('ValidationException', 'Plaintext must be 1 to 4096 bytes');
    const key = this.usableKey(principal, 'kms:Encrypt', keyIdOrArn, options);
    return { keyArn: key.metadata.arn, ciphertextBlob: sealWithKey(key.metadata.keyId, key.material, plaintext, options.encryptionContext) };
  }

  /** Finds the key from the blob itself; `expectedKeyId`, when given, must name that same key (KMS's IncorrectKeyException). */
  decrypt(
    principal: Principal,
    ciphertextBlob: Uint8Array,
    options: KmsCallOptions & { expectedKeyId?: string } = {},
  ): { keyArn: string; plaintext: Buffer } {
    const { keyId } = unpackCiphertextBlob(ciphertextBlob);
    const key = this.tryFind(keyId);
    if (!key) throw new KmsError('InvalidCiphertextException', 'The ciphertext refers to a key that does not exist');
    if (options.expectedKeyId !== undefined && this.find(options.expectedKeyId) !== key) {
      throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext');
    }
    this.usableKey(principal, 'kms:Decrypt', keyId, options);
    return { keyArn: key.metadata.arn, plaintext: openWithKey(key.material, ciphertextBlob, options.encryptionContext) };
  }

  private usableKey(principal: Principal, action: string, keyIdOrArn: string, options: KmsCallOptions): StoredKey {
    const key = this.find(keyIdOrArn);
    this.authorize(principal, action, key, options);
    // KMS checks authorization before state: a caller without access learns nothing about the key.
    if (!key.enabled) throw new KmsError('DisabledException', `${key.metadata.arn} is disabled.`);
    return key;
  }

  private authorize(principal: Principal, action: string, key: StoredKey, options: KmsCallOptions): void {
    const context: Record<string, string> = { 'kms:CallerAccount': principal.accountId };
    if (options.viaService) context['kms:ViaService'] = options.viaService;
    for (const [name, value] of Object.entries(options.encryptionContext ?? {})) context[`kms:EncryptionContext:${name}`] = value;
    const decision = this.accessControl.authorize({ principal, action, resource: key.metadata.arn, resourcePolicy: key.keyPolicy, context });
    if (!decision.allowed) {
      throw new KmsError('AccessDeniedException', decision.reason);
    }
  }

  private find(keyIdOrArn: string): StoredKey {
    const key = this.tryFind(keyIdOrArn);
    if (!key) throw new KmsError('NotFoundException', `Key '${keyIdOrArn}' does not exist`);
    return key;
  }

  private tryFind(keyIdOrArn: string): StoredKey | undefined {
    const direct = this.keys.get(keyIdOrArn);
    if (direct) return direct;
    for (const key of this.keys.values()) if (key.metadata.arn === keyIdOrArn) return key;
    // Alias name (alias/x) or alias ARN (arn:aws:kms:<region>:<account>:alias/x).
    const aliasIndex = keyIdOrArn.indexOf(ALIAS_PREFIX);
    if (aliasIndex === 0 || (aliasIndex > 0 && keyIdOrArn.startsWith('arn:'))) {
      const target = this.aliases.get(keyIdOrArn.slice(aliasIndex));
      return target === undefined ? undefined : this.keys.get(target);
    }
    return undefined;
  }

  private metadataOf(key: StoredKey): KmsKeyMetadata {
    const aliases = [...this.aliases].filter(([, target]) => target === key.metadata.keyId).map(([alias]) => alias);
    return { ...key.metadata, enabled: key.enabled, aliases };
  }
}
