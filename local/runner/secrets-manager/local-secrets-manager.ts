/**
 * The local Secrets Manager: secrets with versions and staging labels (AWSCURRENT, AWSPREVIOUS), each version
 * encrypted under the secret's KMS key (or `aws/secretsmanager`) as the caller, and every call authorized through
 * the local IAM against the caller's identity policies and the secret's resource policy.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AccessControl, PolicyDocument, Principal } from '../iam/types';
import type { LocalKms } from '../kms';
import type { ResolvedResource } from '../types';
import { SecretsManagerError, secretNotFound } from './errors';
import { awsManagedSecretsManagerKey } from './managed-key';
import { generateSecretString, type SecretStringGenerator } from './password';
import { openSecretValue, sealSecretValue, type SealedValue } from './secret-envelope';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';

export interface LocalSecretsManagerOptions {
  readonly kms: LocalKms;
  readonly accessControl: AccessControl;
  /** Default: the KMS's Region and account. */
  readonly region?: string;
  readonly accountId?: string;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface CreateSecretInput {
  readonly name: string;
  readonly description?: string;
  /** Key id, key ARN, alias name or alias ARN; default the `aws/secretsmanager` managed key. */
  readonly kmsKeyId?: string;
  readonly secretString?: string;
  readonly secretBinary?: Buffer;
  /** The first version's id (the SDK fills it with a UUID). */
  readonly clientRequestToken?: string;
  readonly tags?: readonly Tag[];
  /** Default: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`. */
  readonly arn?: string;
}

export interface PutSecretValueInput {
  readonly secretId: string;
  readonly secretString?: string;
  readonly secretBinary?: Buffer;
  readonly clientRequestToken?: string;
  /** Default [AWSCURRENT]. */
  readonly versionStages?: readonly string[];
}

export interface SecretValue {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly secretString?: string;
  readonly secretBinary?: Buffer;
  readonly versionStages: string[];
  readonly createdDate: Date;
}

export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  /** As the secret was given it; absent for the managed key. */
  readonly kmsKeyId?: string;
  readonly createdDate: Date;
  readonly lastChangedDate: Date;
  readonly lastAccessedDate?: Date;
  readonly tags: readonly Tag[];
  /** Versions that carry a staging label. */
  readonly versionIdsToStages: Record<string, string[]>;
}

interface StoredVersion {
  readonly versionId: string;
  readonly createdDate: Date;
  readonly sealed: SealedValue;
  readonly binary: boolean;
  readonly stages: Set<string>;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly createdDate: Date;
  lastChangedDate: Date;
  lastAccessedDate?: Date;
  readonly tags: readonly Tag[];
  readonly versions: Map<string, StoredVersion>;
  resourcePolicy?: PolicyDocument;
}

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ARN_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function arnSuffix(): string {
  return Array.from(randomBytes(6), (byte) => ARN_SUFFIX_ALPHABET[byte % ARN_SUFFIX_ALPHABET.length]).join('');
}

/** LastAccessedDate is a day: AWS truncates it to midnight UTC. */
function today(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function valueOf(input: { secretString?: string; secretBinary?: Buffer }): { bytes: Buffer; binary: boolean } {
  if (input.secretString !== undefined && input.secretBinary !== undefined) {
    throw new SecretsManagerError('InvalidParameterException', 'You can\'t specify both SecretString and SecretBinary.');
  }
  if (input.secretBinary !== undefined) return { bytes: input.secretBinary, binary: true };
  return { bytes: Buffer.from(input.secretString ?? '', 'utf8'), binary: false };
}

export class LocalSecretsManager {
  readonly region: string;
  readonly accountId: string;
  private readonly kms: LocalKms;
  private readonly accessControl: AccessControl;
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(options: LocalSecretsManagerOptions) {
    this.kms = options.kms;
    this.accessControl = options.accessControl;
    this.region = options.region ?? options.kms.region;
    this.accountId = options.accountId ?? options.kms.accountId;
  }

  /** CreateSecret as `principal`: secretsmanager:CreateSecret on the new ARN, and the KMS permissions to encrypt its first version. */
  createSecret(principal: Principal, input: CreateSecretInput): { arn: string; name: string; versionId?: string } {
    if (!NAME_PATTERN.test(input.name)) {
      throw new SecretsManagerError('InvalidParameterException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    const arn = input.arn ?? `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${input.name}-${arnSuffix()}`;
    this.authorize(principal, 'secretsmanager:CreateSecret', arn, undefined);
    if ([...this.secrets.values()].some((secret) => secret.name === input.name)) {
      throw new SecretsManagerError('ResourceExistsException', `The operation failed because the secret ${input.name} already exists.`);
    }
    const now = new Date();
    const secret: StoredSecret = {
      arn,
      name: input.name,
      description: input.description,
      kmsKeyId: input.kmsKeyId,
      createdDate: now,
      lastChangedDate: now,
      tags: input.tags ?? [],
      versions: new Map(),
    };
    let versionId: string | undefined;
    if (input.secretString !== undefined || input.secretBinary !== undefined) {
      versionId = this.addVersion(principal, secret, input, [AWSCURRENT]);
    }
    this.secrets.set(arn, secret);
    return { arn, name: input.name, ...(versionId ? { versionId } : {}) };
  }

  /**
   * An AWS::SecretsManager::Secret the runner resolved: its physical id is the ARN. `deployer` is who CloudFormation
   * acts as (its KMS permissions encrypt the first version).
   */
  createSecretFromResource(resource: ResolvedResource, deployer: Principal): { arn: string; name: string } {
    const props = resource.properties as Record<string, any>;
    if (props.SecretString !== undefined && props.GenerateSecretString !== undefined) {
      throw new Error(`${resource.stackName}/${resource.logicalId}: SecretString and GenerateSecretString cannot both be set`);
    }
    const secretString = props.GenerateSecretString !== undefined
      ? generateSecretString(props.GenerateSecretString as SecretStringGenerator)
      : props.SecretString === undefined ? undefined : String(props.SecretString);
    return this.createSecret(deployer, {
      name: resource.attributes.Name,
      arn: resource.physicalId,
      description: typeof props.Description === 'string' ? props.Description : undefined,
      kmsKeyId: typeof props.KmsKeyId === 'string' ? props.KmsKeyId : undefined,
      secretString,
      tags: Array.isArray(props.Tags) ? (props.Tags as Tag[]).map((tag) => ({ Key: String(tag.Key), Value: String(tag.Value) })) : [],
    });
  }

  getSecretValue(principal: Principal, secretId: string, selector: { versionId?: string; versionStage?: string } = {}): SecretValue {
    const secret = this.authorizedSecret(principal, 'secretsmanager:GetSecretValue', secretId);
    const version = this.version(secret, selector);
    const bytes = openSecretValue(principal, { kms: this.kms, secretArn: secret.arn, versionId: version.versionId }, version.sealed);
    secret.lastAccessedDate = today();
    return {
      arn: secret.arn,
      name: secret.name,
      versionId: version.versionId,
      ...(version.binary ? { secretBinary: bytes } : { secretString: bytes.toString('utf8') }),
      versionStages: [...version.stages],
      createdDate: version.createdDate,
    };
  }

  describeSecret(principal: Principal, secretId: string): SecretDescription {
    const secret = this.authorizedSecret(principal, 'secretsmanager:DescribeSecret', secretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const version of secret.versions.values()) if (version.stages.size > 0) versionIdsToStages[version.versionId] = [...version.stages];
    return {
      arn: secret.arn,
      name: secret.name,
      description: secret.description,
      kmsKeyId: secret.kmsKeyId,
      createdDate: secret.createdDate,
      lastChangedDate: secret.lastChangedDate,
      lastAccessedDate: secret.lastAccessedDate,
      tags: secret.tags,
      versionIdsToStages,
    };
  }

  /** A new version (AWSCURRENT by default; the one it replaces becomes AWSPREVIOUS). A repeated token with the same value changes nothing. */
  putSecretValue(principal: Principal, input: PutSecretValueInput): { arn: string; name: string; versionId: string; versionStages: string[] } {
    const secret = this.authorizedSecret(principal, 'secretsmanager:PutSecretValue', input.secretId);
    if (input.secretString === undefined && input.secretBinary === undefined) {
      throw new SecretsManagerError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    }
    const existing = input.clientRequestToken === undefined ? undefined : secret.versions.get(input.clientRequestToken);
    if (existing) {
      const value = valueOf(input);
      const stored = openSecretValue(principal, { kms: this.kms, secretArn: secret.arn, versionId: existing.versionId }, existing.sealed);
      if (existing.binary !== value.binary || !stored.equals(value.bytes)) {
        throw new SecretsManagerError('ResourceExistsException', 'You can\'t modify an existing version, you can only create a new version.');
      }
      return { arn: secret.arn, name: secret.name, versionId: existing.versionId, versionStages: [...existing.stages] };
    }
    const versionId = this.addVersion(principal, secret, input, input.versionStages ?? [AWSCURRENT]);
    return { arn: secret.arn, name: secret.name, versionId, versionStages: [...secret.versions.get(versionId)!.stages] };
  }

  putResourcePolicy(principal: Principal, secretId: string, policy: string): { arn: string; name: string } {
    const secret = this.authorizedSecret(principal, 'secretsmanager:PutResourcePolicy', secretId);
    this.setResourcePolicy(secret.arn, parsePolicy(policy));
    return { arn: secret.arn, name: secret.name };
  }

  getResourcePolicy(principal: Principal, secretId: string): { arn: string; name: string; policy?: PolicyDocument } {
    const secret = this.authorizedSecret(principal, 'secretsmanager:GetResourcePolicy', secretId);
    return { arn: secret.arn, name: secret.name, policy: secret.resourcePolicy };
  }

  /** In process (the runner, for AWS::SecretsManager::ResourcePolicy): no authorization. */
  setResourcePolicy(secretId: string, policy: PolicyDocument | undefined): void {
    const secret = this.find(secretId);
    if (!secret) throw secretNotFound();
    secret.resourcePolicy = policy;
  }

  /** The secret's ARN, or undefined; no authorization. */
  arnOf(secretId: string): string | undefined {
    return this.find(secretId)?.arn;
  }

  private addVersion(principal: Principal, secret: StoredSecret, input: { secretString?: string; secretBinary?: Buffer; clientRequestToken?: string },
    stages: readonly string[]): string {
    const versionId = input.clientRequestToken ?? randomUUID();
    if (versionId.length < 32 || versionId.length > 64) {
      throw new SecretsManagerError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters long.');
    }
    const { bytes, binary } = valueOf(input);
    if (bytes.length < 1 || bytes.length > 65536) throw new SecretsManagerError('InvalidParameterException', 'The secret value must be 1 to 65536 bytes.');
    const keyId = secret.kmsKeyId ?? awsManagedSecretsManagerKey(this.kms);
    const sealed = sealSecretValue(principal, { kms: this.kms, keyId, secretArn: secret.arn, versionId }, bytes);
    const labels = new Set(stages);
    for (const version of secret.versions.values()) {
      if (labels.has(AWSCURRENT) && version.stages.has(AWSCURRENT)) {
        // The version that was current becomes the previous one.
        for (const other of secret.versions.values()) other.stages.delete(AWSPREVIOUS);
        version.stages.add(AWSPREVIOUS);
      }
      for (const label of labels) version.stages.delete(label);
    }
    secret.versions.set(versionId, { versionId, createdDate: new Date(), sealed, binary, stages: labels });
    secret.lastChangedDate = new Date();
    return versionId;
  }

  private version(secret: StoredSecret, selector: { versionId?: string; versionStage?: string }): StoredVersion {
    if (selector.versionId !== undefined) {
      const version = secret.versions.get(selector.versionId);
      if (!version || (selector.versionStage !== undefined && !version.stages.has(selector.versionStage))) {
        throw new SecretsManagerError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${selector.versionId}`);
      }
      return version;
    }
    const stage = selector.versionStage ?? AWSCURRENT;
    const version = [...secret.versions.values()].find((candidate) => candidate.stages.has(stage));
    if (!version) throw new SecretsManagerError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage}`);
    return version;
  }

  /**
   * Finds the secret and checks the action on it (its ARN, its resource policy). For an unknown secret the check
   * names the id as given, so a caller without access learns nothing (AccessDeniedException rather than ResourceNotFoundException).
   */
  private authorizedSecret(principal: Principal, action: string, secretId: string): StoredSecret {
    if (typeof secretId !== 'string' || secretId === '') throw new SecretsManagerError('InvalidParameterException', 'SecretId is required.');
    const secret = this.find(secretId);
    const resource = secret?.arn
      ?? (secretId.startsWith('arn:') ? secretId : `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${secretId}`);
    this.authorize(principal, action, resource, secret?.resourcePolicy);
    if (!secret) throw secretNotFound();
    return secret;
  }

  /** Checks an action that names no secret (GetRandomPassword, ListSecrets: resource `*`). */
  authorizeAction(principal: Principal, action: string, resource: string): void {
    this.authorize(principal, action, resource, undefined);
  }

  private authorize(principal: Principal, action: string, resource: string, resourcePolicy: PolicyDocument | undefined): void {
    const decision = this.accessControl.authorize({ principal, action, resource, resourcePolicy });
    if (!decision.allowed) throw new SecretsManagerError('AccessDeniedException', decision.reason);
  }

  /** By name, full ARN, or partial ARN (the ARN without its 6-character suffix), as the SecretId parameter accepts. */
  private find(secretId: string): StoredSecret | undefined {
    const byArn = this.secrets.get(secretId);
    if (byArn) return byArn;
    for (const secret of this.secrets.values()) {
      if (secret.name === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    return undefined;
  }
}

export function parsePolicy(policy: unknown): PolicyDocument {
  let parsed: unknown = policy;
  if (typeof policy === 'string') {
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw new SecretsManagerError('MalformedPolicyDocumentException', 'The resource policy is not valid JSON.');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
    throw new SecretsManagerError('MalformedPolicyDocumentException', 'The resource policy has no Statement.');
  }
  return parsed as PolicyDocument;
}
