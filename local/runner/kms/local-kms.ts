/**
 * The local KMS: symmetric keys (SSE-KMS, data keys) and asymmetric SIGN_VERIFY keys (RSA and NIST
 * ECC: GetPublicKey, Sign), whose every use is authorized through the local IAM against the caller's
 * identity policies and the key policy, as KMS does. S3 calls it in process (as the caller, so SSE-KMS
 * needs the caller's kms permissions); the KMS API serves it to SDK clients.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { conditionsHold } from '../iam/condition-operators';
import { buildConditionContext } from '../iam/request-context';
import { actionMatches, principalMatch, resourceMatches, statementsOf } from '../iam/statement-matching';
import type { AccessControl, PolicyDocument, PolicyStatement, Principal } from '../iam/types';
import type { ResolvedResource } from '../types';
import {
  generateAsymmetricKey,
  isAsymmetricKeySpec,
  signWithKey,
  SIGNING_ALGORITHMS_BY_SPEC,
  type AsymmetricKeyMaterial,
  type AsymmetricKeySpec,
  type MessageType,
} from './asymmetric-key';
import { unpackCiphertextBlob } from './ciphertext-blob';
import { KmsError } from './errors';
import { EncryptionContext, openWithKey, sealWithKey } from './symmetric-key';

export type KeySpec = 'SYMMETRIC_DEFAULT' | AsymmetricKeySpec;
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

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
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly keyState: KeyState;
  /** Set while the key is PendingDeletion. */
  readonly deletionDate?: Date;
  /** The signing algorithms of a SIGN_VERIFY key (empty for symmetric keys). */
  readonly signingAlgorithms: readonly string[];
}

/** A KMS tag: TagKey and TagValue, as the KMS API spells them. */
export interface KmsTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

/** CreateKey as an SDK client calls it: authorized as the caller, with KMS's checks of the key policy. */
export interface CreateKeyRequest {
  readonly keySpec?: string;
  readonly keyUsage?: string;
  /** The key policy, a JSON document (KMS's default key policy when absent: the account may do everything). */
  readonly policy?: string;
  readonly description?: string;
  readonly tags?: readonly KmsTag[];
  readonly origin?: string;
  readonly multiRegion?: boolean;
  readonly bypassPolicyLockoutSafetyCheck?: boolean;
}

export interface PublicKeyInfo {
  readonly keyArn: string;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Buffer;
  readonly keySpec: AsymmetricKeySpec;
  readonly keyUsage: 'SIGN_VERIFY';
  readonly signingAlgorithms: readonly string[];
}

export interface SignRequest {
  readonly message: Buffer;
  /** Default RAW. */
  readonly messageType?: string;
  readonly signingAlgorithm: string;
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
  readonly metadata: Pick<KmsKeyMetadata, 'keyId' | 'arn' | 'description' | 'creationDate' | 'keySpec' | 'keyUsage'>;
  enabled: boolean;
  deletionDate?: Date;
  keyPolicy?: PolicyDocument;
  readonly tags: Map<string, string>;
  /** AES-256 material of a symmetric key. */
  readonly material?: Buffer;
  /** The key pair of an asymmetric key. */
  readonly keyPair?: AsymmetricKeyMaterial;
}

const ALIAS_PREFIX = 'alias/';
const DAY_MS = 24 * 60 * 60 * 1000;
/** KMS's bounds of a deletion's waiting period, in days. */
const MIN_PENDING_WINDOW_DAYS = 7;
const MAX_PENDING_WINDOW_DAYS = 30;

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
    const arn = input.arn ?? this.keyArn(keyId);
    this.keys.set(keyId, {
      metadata: { keyId, arn, description: input.description ?? '', creationDate: new Date(), keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
      enabled: input.enabled ?? true,
      keyPolicy: input.keyPolicy,
      tags: new Map(),
      material: randomBytes(32),
    });
    return { keyId, arn };
  }

  /**
   * CreateKey as the KMS API answers it: the caller needs kms:CreateKey (and kms:TagResource to tag
   * the key as it is made) in an identity policy, with the request's kms:KeySpec, kms:KeyUsage,
   * kms:KeyOrigin, kms:MultiRegion and aws:RequestTag/aws:TagKeys as condition keys; a key policy
   * must let the caller change it later (the lockout safety check) unless the check is bypassed.
   * Symmetric ENCRYPT_DECRYPT keys and RSA or NIST ECC SIGN_VERIFY keys are modelled.
   */
  async createKeyAs(principal: Principal, request: CreateKeyRequest): Promise<KmsKeyMetadata> {
    const keySpec = request.keySpec ?? 'SYMMETRIC_DEFAULT';
    const keyUsage = request.keyUsage ?? 'ENCRYPT_DECRYPT';
    const origin = request.origin ?? 'AWS_KMS';
    const tags = checkTags(request.tags ?? []);
    const context: Record<string, string | string[]> = {
      'kms:KeySpec': keySpec,
      'kms:KeyUsage': keyUsage,
      'kms:KeyOrigin': origin,
      'kms:MultiRegion': String(request.multiRegion === true),
      ...tagRequestContext(tags),
    };
    if (request.bypassPolicyLockoutSafetyCheck !== undefined) context['kms:BypassPolicyLockoutSafetyCheck'] = String(request.bypassPolicyLockoutSafetyCheck);
    // CreateKey has no resource to name: IAM sees '*'. Tags given here need kms:TagResource on every key (key/*).
    this.authorizeRequest(principal, 'kms:CreateKey', '*', context);
    if (tags.size > 0) this.authorizeRequest(principal, 'kms:TagResource', this.keyArn('*'), tagRequestContext(tags));

    if (origin !== 'AWS_KMS') throw new KmsError('UnsupportedOperationException', `Origin ${origin} is not supported by the local KMS (AWS_KMS only)`);
    if (request.multiRegion === true) throw new KmsError('UnsupportedOperationException', 'Multi-Region keys are not supported by the local KMS');
    checkKeySpecAndUsage(keySpec, keyUsage);
    const keyPolicy = request.policy === undefined ? this.defaultKeyPolicy() : parseKeyPolicy(request.policy);
    if (request.bypassPolicyLockoutSafetyCheck !== true) this.checkLockout(principal, keyPolicy);

    const keyId = randomUUID();
    const arn = this.keyArn(keyId);
    const keyPair = isAsymmetricKeySpec(keySpec) ? await generateAsymmetricKey(keySpec) : undefined;
    this.keys.set(keyId, {
      metadata: { keyId, arn, description: request.description ?? '', creationDate: new Date(), keySpec: keySpec as KeySpec, keyUsage: keyUsage as KeyUsage },
      enabled: true,
      keyPolicy,
      tags,
      ...(keyPair ? { keyPair } : { material: randomBytes(32) }),
    });
    return this.metadataOf(this.keys.get(keyId)!);
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

  /** The public key of an asymmetric key (DER SubjectPublicKeyInfo); kms:GetPublicKey. */
  getPublicKey(principal: Principal, keyIdOrArn: string): PublicKeyInfo {
    const key = this.usableKey(principal, 'kms:GetPublicKey', keyIdOrArn, {});
    if (!key.keyPair) throw new KmsError('UnsupportedOperationException', `${key.metadata.arn} is a symmetric key: it has no public key`);
    return {
      keyArn: key.metadata.arn,
      publicKey: key.keyPair.publicKeyDer,
      keySpec: key.keyPair.spec,
      keyUsage: 'SIGN_VERIFY',
      signingAlgorithms: SIGNING_ALGORITHMS_BY_SPEC[key.keyPair.spec],
    };
  }

  /**
   * Sign: kms:Sign with kms:SigningAlgorithm and kms:MessageType as condition keys. The algorithm
   * must be one the key spec allows (InvalidKeyUsageException otherwise); a RAW message is 1 to
   * 4096 bytes, a DIGEST exactly the algorithm's hash length.
   */
  sign(principal: Principal, keyIdOrArn: string, request: SignRequest): { keyArn: string; signature: Buffer; signingAlgorithm: string } {
    const messageType = request.messageType ?? 'RAW';
    if (messageType !== 'RAW' && messageType !== 'DIGEST') throw new KmsError('ValidationException', `MessageType must be RAW or DIGEST, got ${messageType}`);
    const key = this.usableKey(principal, 'kms:Sign', keyIdOrArn, {
      extraContext: { 'kms:SigningAlgorithm': request.signingAlgorithm, 'kms:MessageType': messageType },
    });
    if (!key.keyPair || key.metadata.keyUsage !== 'SIGN_VERIFY') {
      throw new KmsError('InvalidKeyUsageException', `${key.metadata.arn} has KeyUsage ${key.metadata.keyUsage}: it cannot sign`);
    }
    if (!SIGNING_ALGORITHMS_BY_SPEC[key.keyPair.spec].includes(request.signingAlgorithm)) {
      throw new KmsError('InvalidKeyUsageException',
        `The signing algorithm ${request.signingAlgorithm} is not supported by ${key.keyPair.spec} keys; use ${SIGNING_ALGORITHMS_BY_SPEC[key.keyPair.spec].join(', ')}`);
    }
    return {
      keyArn: key.metadata.arn,
      signature: signWithKey(key.keyPair, request.signingAlgorithm, request.message, messageType as MessageType),
      signingAlgorithm: request.signingAlgorithm,
    };
  }

  /** ScheduleKeyDeletion: the key becomes PendingDeletion (unusable) for 7 to 30 days (default 30). */
  scheduleKeyDeletion(principal: Principal, keyIdOrArn: string, pendingWindowInDays: number = MAX_PENDING_WINDOW_DAYS): KmsKeyMetadata {
    const key = this.find(keyIdOrArn);
    this.authorize(principal, 'kms:ScheduleKeyDeletion', key, { extraContext: { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(pendingWindowInDays) } });
    if (!Number.isInteger(pendingWindowInDays) || pendingWindowInDays < MIN_PENDING_WINDOW_DAYS || pendingWindowInDays > MAX_PENDING_WINDOW_DAYS) {
      throw new KmsError('ValidationException', `PendingWindowInDays must be an integer from ${MIN_PENDING_WINDOW_DAYS} to ${MAX_PENDING_WINDOW_DAYS}`);
    }
    if (key.deletionDate) throw new KmsError('KMSInvalidStateException', `${key.metadata.arn} is pending deletion.`);
    key.deletionDate = new Date(Date.now() + pendingWindowInDays * DAY_MS);
    return this.metadataOf(key);
  }

  /** TagResource: adds or replaces tags; aws:RequestTag/<key> and aws:TagKeys are condition keys. */
  tagResource(principal: Principal, keyIdOrArn: string, tags: readonly KmsTag[]): void {
    const checked = checkTags(tags);
    if (checked.size === 0) throw new KmsError('ValidationException', 'Tags must name at least one tag');
    const key = this.find(keyIdOrArn);
    this.authorize(principal, 'kms:TagResource', key, { extraContext: tagRequestContext(checked) });
    if (key.deletionDate) throw new KmsError('KMSInvalidStateException', `${key.metadata.arn} is pending deletion.`);
    for (const [tagKey, tagValue] of checked) key.tags.set(tagKey, tagValue);
  }

  /** ListResourceTags: every tag, in one page. */
  listResourceTags(principal: Principal, keyIdOrArn: string): KmsTag[] {
    const key = this.find(keyIdOrArn);
    this.authorize(principal, 'kms:ListResourceTags', key, {});
    return [...key.tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  }

  /** The key's ARN, or undefined for an unknown key; no authorization (S3 uses it to name keys in headers). */
  keyArnOf(keyIdOrArn: string): string | undefined {
    return this.tryFind(keyIdOrArn)?.metadata.arn;
  }

  generateDataKey(principal: Principal, keyIdOrArn: string, options: KmsCallOptions & { numberOfBytes?: number } = {}): GeneratedDataKey {
    const key = this.symmetricKey(this.usableKey(principal, 'kms:GenerateDataKey', keyIdOrArn, options));
    const numberOfBytes = options.numberOfBytes ?? 32;
    if (!Number.isInteger(numberOfBytes) || numberOfBytes < 1 || numberOfBytes > 1024) {
      throw new KmsError('ValidationException', 'NumberOfBytes must be an integer from 1 to 1024');
    }
    const plaintext = randomBytes(numberOfBytes);
    return {
      keyArn: key.metadata.arn,
      plaintext,
      ciphertextBlob: sealWithKey(key.metadata.keyId, key.material!, plaintext, options.encryptionContext),
    };
  }

  encrypt(principal: Principal, keyIdOrArn: string, plaintext: Uint8Array, options: KmsCallOptions = {}): { keyArn: string; ciphertextBlob: Buffer } {
    if (plaintext.length < 1 || plaintext.length > 4096) throw new KmsError('ValidationException', 'Plaintext must be 1 to 4096 bytes');
    const key = this.symmetricKey(this.usableKey(principal, 'kms:Encrypt', keyIdOrArn, options));
    return { keyArn: key.metadata.arn, ciphertextBlob: sealWithKey(key.metadata.keyId, key.material!, plaintext, options.encryptionContext) };
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
    this.symmetricKey(this.usableKey(principal, 'kms:Decrypt', keyId, options));
    return { keyArn: key.metadata.arn, plaintext: openWithKey(key.material!, ciphertextBlob, options.encryptionContext) };
  }

  private keyArn(keyId: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  /** KMS's default key policy: the account (its IAM policies) may do everything with the key. */
  private defaultKeyPolicy(): PolicyDocument {
    return {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${this.accountId}:root` }, Action: 'kms:*', Resource: '*' }],
    };
  }

  /**
   * The lockout safety check: the new key policy must let the caller call PutKeyPolicy later. The key
   * policy decides alone: a statement naming the caller, or its account (whose IAM policies then
   * decide, as under KMS's default key policy), must allow it, and none may deny it.
   */
  private checkLockout(principal: Principal, keyPolicy: PolicyDocument): void {
    const request = { principal, action: 'kms:PutKeyPolicy', resource: this.keyArn('*'), context: { 'kms:CallerAccount': principal.accountId } };
    const context = buildConditionContext(request, new Date());
    const applicable = statementsOf(keyPolicy).filter((statement) => principalMatch(statement, principal) !== 'none'
      && actionMatches(statement, request.action) && resourceMatches(statement, request.resource, 'resource') && conditionsHold(statement.Condition, context));
    if (applicable.some((statement) => statement.Effect === 'Deny') || !applicable.some((statement) => statement.Effect === 'Allow')) {
      throw new KmsError('MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future (set BypassPolicyLockoutSafetyCheck to skip this check)');
    }
  }

  private symmetricKey(key: StoredKey): StoredKey {
    if (!key.material) throw new KmsError('InvalidKeyUsageException', `${key.metadata.arn} is a ${key.metadata.keySpec} key with KeyUsage ${key.metadata.keyUsage}`);
    return key;
  }

  private usableKey(principal: Principal, action: string, keyIdOrArn: string, options: KmsCallOptions & AuthorizeOptions): StoredKey {
    const key = this.find(keyIdOrArn);
    this.authorize(principal, action, key, options);
    // KMS checks authorization before state: a caller without access learns nothing about the key.
    if (key.deletionDate) throw new KmsError('KMSInvalidStateException', `${key.metadata.arn} is pending deletion.`);
    if (!key.enabled) throw new KmsError('DisabledException', `${key.metadata.arn} is disabled.`);
    return key;
  }

  /**
   * Authorizes an operation on a key: its ARN, its key policy, and the condition keys KMS sets for it
   * (the caller's account, the key's spec, usage and origin, its tags as aws:ResourceTag/<key>).
   */
  private authorize(principal: Principal, action: string, key: StoredKey, options: KmsCallOptions & AuthorizeOptions): void {
    const context: Record<string, string | string[]> = {
      'kms:CallerAccount': principal.accountId,
      'kms:KeySpec': key.metadata.keySpec,
      'kms:KeyUsage': key.metadata.keyUsage,
      'kms:KeyOrigin': 'AWS_KMS',
    };
    for (const [tagKey, tagValue] of key.tags) context[`aws:ResourceTag/${tagKey}`] = tagValue;
    if (options.viaService) context['kms:ViaService'] = options.viaService;
    for (const [name, value] of Object.entries(options.encryptionContext ?? {})) context[`kms:EncryptionContext:${name}`] = value;
    Object.assign(context, options.extraContext);
    this.authorizeRequest(principal, action, key.metadata.arn, context, key.keyPolicy);
  }

  private authorizeRequest(
    principal: Principal,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
    resourcePolicy?: PolicyDocument,
  ): void {
    const decision = this.accessControl.authorize({ principal, action, resource, resourcePolicy, context });
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
    const keyState: KeyState = key.deletionDate ? 'PendingDeletion' : key.enabled ? 'Enabled' : 'Disabled';
    return {
      ...key.metadata,
      enabled: keyState === 'Enabled',
      keyState,
      ...(key.deletionDate ? { deletionDate: key.deletionDate } : {}),
      signingAlgorithms: key.keyPair ? SIGNING_ALGORITHMS_BY_SPEC[key.keyPair.spec] : [],
      aliases,
    };
  }
}

interface AuthorizeOptions {
  /** Condition keys of the operation itself (kms:SigningAlgorithm, aws:RequestTag/..., ...). */
  readonly extraContext?: Readonly<Record<string, string | string[]>>;
}

/** The key spec and usage pairs KMS accepts, as far as they are modelled here. */
function checkKeySpecAndUsage(keySpec: string, keyUsage: string): void {
  if (keySpec === 'SYMMETRIC_DEFAULT') {
    if (keyUsage !== 'ENCRYPT_DECRYPT') throw new KmsError('ValidationException', `KeyUsage ${keyUsage} is not valid for KeySpec SYMMETRIC_DEFAULT`);
    return;
  }
  if (!isAsymmetricKeySpec(keySpec)) {
    throw new KmsError('UnsupportedOperationException', `KeySpec ${keySpec} is not supported by the local KMS (SYMMETRIC_DEFAULT, RSA_2048/3072/4096, ECC_NIST_P256/P384/P521)`);
  }
  if (keyUsage === 'SIGN_VERIFY') return;
  if (keySpec.startsWith('ECC_') && keyUsage === 'ENCRYPT_DECRYPT') {
    throw new KmsError('ValidationException', `KeyUsage ENCRYPT_DECRYPT is not valid for KeySpec ${keySpec}; ECC keys sign and verify`);
  }
  throw new KmsError('UnsupportedOperationException', `KeyUsage ${keyUsage} of ${keySpec} keys is not supported by the local KMS (SIGN_VERIFY only)`);
}

/** A key policy as CreateKey takes it: JSON text, every statement with a Principal. */
function parseKeyPolicy(text: string): PolicyDocument {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new KmsError('MalformedPolicyDocumentException', 'The key policy is not valid JSON');
  }
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
  if (typeof document !== 'object' || document === null || list.length === 0) {
    throw new KmsError('MalformedPolicyDocumentException', 'The key policy must have at least one Statement');
  }
  for (const statement of list as PolicyStatement[]) {
    if (statement.Principal === undefined && statement.NotPrincipal === undefined) {
      const name = statement.Sid ? ` ${statement.Sid}` : '';
      throw new KmsError('MalformedPolicyDocumentException', `Policy statement${name} has no Principal; every key policy statement needs one`);
    }
  }
  return document as PolicyDocument;
}

/** AWS's tag rules: keys 1-128 characters, values up to 256, no aws: prefix, each key once. */
function checkTags(tags: readonly KmsTag[]): Map<string, string> {
  const checked = new Map<string, string>();
  for (const tag of tags) {
    if (typeof tag?.TagKey !== 'string' || tag.TagKey.length < 1 || tag.TagKey.length > 128 || typeof tag.TagValue !== 'string' || tag.TagValue.length > 256) {
      throw new KmsError('TagException', 'Each tag needs a TagKey of 1 to 128 characters and a TagValue of at most 256');
    }
    if (tag.TagKey.toLowerCase().startsWith('aws:')) throw new KmsError('TagException', `Tag keys may not begin with aws: (${tag.TagKey})`);
    if (checked.has(tag.TagKey)) throw new KmsError('TagException', `Duplicate tag key ${tag.TagKey}`);
    checked.set(tag.TagKey, tag.TagValue);
  }
  return checked;
}

/** aws:RequestTag/<key> for each tag a request sets, and aws:TagKeys listing them. */
function tagRequestContext(tags: ReadonlyMap<string, string>): Record<string, string | string[]> {
  if (tags.size === 0) return {};
  const context: Record<string, string | string[]> = { 'aws:TagKeys': [...tags.keys()] };
  for (const [tagKey, tagValue] of tags) context[`aws:RequestTag/${tagKey}`] = tagValue;
  return context;
}
