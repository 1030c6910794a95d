import { Duration, Lazy, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { checkRemovalPolicy } from './removal';
import { attachRolePolicy } from './role-policy';

/**
 * Options of the CA vault: where CA certificates and private keys are kept.
 */
export interface CaVaultProps {
  /**
   * The bucket to keep CA material in. A bucket you bring keeps its own
   * settings; make sure it blocks public access and enforces TLS.
   *
   * @default - a bucket is created: SSE-KMS under `encryptionKey`, TLS only,
   * public access blocked, versioned, access-logged, removed as `removalPolicy` says
   */
  readonly bucket?: s3.IBucket;

  /**
   * Key prefix under which each CA gets a folder `<prefix>/<caCertificateId>/`.
   *
   * @default - the bucket root
   */
  readonly prefix?: string;

  /**
   * The KMS key every vault object is encrypted under (SSE-KMS).
   *
   * @default - a customer managed key with rotation, removed as `removalPolicy` says
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What deleting the stack does with the bucket, the access-log bucket and the key that the vault creates.
   *
   * - `RemovalPolicy.DESTROY`: both buckets are emptied (every object version) and
   *   deleted, and the key is scheduled for deletion after KMS's 30-day waiting period.
   *   The CAs' private keys are gone for good: a CA still registered in AWS IoT can sign
   *   no further device certificates, and devices it signed can no longer be re-issued.
   *   CA keys held in AWS KMS (`CaKeyStorage.KMS`) are scheduled for deletion after the
   *   same 30 days, before the bucket is emptied.
   * - `RemovalPolicy.RETAIN`: all three stay, with their contents, after `cdk destroy`
   *   (delete them by hand when you are done). Choose it for a production vault.
   *
   * A bucket or key you bring (`bucket`, `encryptionKey`) is never changed.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The private key file of each CA; used to fence private keys off from every other reader. */
const PRIVATE_KEY_FILE = 'ca.private_key.pem';
/** Where claim certificates (fleet provisioning) live: `<prefix>/claims/<certificateId>/`. */
const CLAIMS_FOLDER = 'claims';
const CLAIM_PRIVATE_KEY_FILE = 'claim.private_key.pem';

/**
 * An encrypted S3 vault for CA certificates and private keys.
 *
 * Objects live under `<prefix>/<caCertificateId>/` (`ca.cert.pem`,
 * `ca.private_key.pem`, `ca.public_key.pem`, `verification.cert.pem`, `ca.json`).
 */
export class CaVault extends Construct {
  /** The vault bucket. */
  public readonly bucket: s3.IBucket;
  /** The KMS key vault objects are encrypted under. */
  public readonly encryptionKey: kms.IKey;
  /** The key prefix, without leading or trailing slashes ('' for the bucket root). */
  public readonly prefix: string;
  /** What deleting the stack does with the bucket and key the vault created. */
  public readonly removalPolicy: RemovalPolicy;
  private readonly privateKeyReaders: iam.IRole[] = [];
  private readonly claimKeyReaders: iam.IRole[] = [];

  constructor(scope: Construct, id: string, props: CaVaultProps = {}) {
    super(scope, id);
    if (props.prefix !== undefined && !Token.isUnresolved(props.prefix) && !/^[A-Za-z0-9!_.*'()/-]*$/.test(props.prefix)) {
      throw new Error(`vault.prefix '${props.prefix}' may only contain letters, digits, '/' and !_.*'()- (S3 safe characters)`);
    }
    this.prefix = normalizePrefix(props.prefix);
    this.removalPolicy = checkRemovalPolicy(props.removalPolicy, 'vault.removalPolicy');
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: 'Encrypts the CA vault of cdk-iot-security (CA private keys)',
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
      // KMS's longest waiting period: a deletion can still be cancelled for 30 days.
      pendingWindow: Duration.days(30),
    });
    this.bucket = props.bucket ?? this.createBucket();
  }

  /** ARN pattern of every object in the vault. */
  public objectsArn(): string {
    return this.bucket.arnForObjects(this.prefix ? `${this.prefix}/*` : '*');
  }

  /**
   * Lets a role write and read CA material, private keys included, with the
   * vault key. Give this to the CA registrator only.
   */
  public grantReadWriteCaMaterial(role: iam.IRole): iam.Policy {
    return attachRolePolicy(this, `CaMaterialAccess${role.node.addr}`, role, [
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.objectsArn()],
      }),
      new iam.PolicyStatement({
        // What SSE-KMS needs to write (GenerateDataKey) and read (Decrypt) objects.
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
      }),
    ], 'Each CA gets a folder named by its certificate id, known only at run time; the wildcard covers the vault prefix alone.');
  }

  /**
   * Lets a role read CA certificates and private keys and keep the records of
   * device certificates it issued (`<caCertificateId>/issued/*`). Give this to
   * a device certificate issuer; it cannot change or delete CA material.
   */
  public grantIssueDeviceCertificates(role: iam.IRole): iam.Policy {
    return attachRolePolicy(this, `DeviceIssuerAccess${role.node.addr}`, role, [
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.objectsArn()],
      }),
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(this.prefix ? `${this.prefix}/*/issued/*` : '*/issued/*')],
      }),
      new iam.PolicyStatement({
        // Without ListBucket, S3 answers a missing record with AccessDenied rather than NoSuchKey. No
        // s3:prefix condition: a GetObject carries no prefix, so such a condition would never hold.
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
      }),
    ], 'CA folders are named by certificate ids known only at run time; the wildcards cover the vault prefix (and its issued/ records) alone.');
  }

  /**
   * Denies reading CA private keys to every principal but the roles given
   * here, with a bucket policy (only possible on a bucket this stack creates
   * or owns). Roles from several calls add up: one statement lists them all.
   */
  public restrictPrivateKeyReadsTo(readers: iam.IRole[]): void {
    const first = this.privateKeyReaders.length === 0;
    this.privateKeyReaders.push(...readers);
    if (!first) return;
    const keys = this.bucket.arnForObjects(this.prefix ? `${this.prefix}/*/${PRIVATE_KEY_FILE}` : `*/${PRIVATE_KEY_FILE}`);
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlyCaKeyHoldersReadCaPrivateKeys',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [keys],
      conditions: {
        ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.privateKeyReaders.map((role) => role.roleArn) }) },
      },
    }));
  }

  /**
   * Lets a role write and delete claim certificates and their keys (never
   * read them back). Give this to the claim certificate issuer only.
   */
  public grantManageClaimCredentials(role: iam.IRole): iam.Policy {
    return attachRolePolicy(this, `ClaimIssuerAccess${role.node.addr}`, role, [
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [this.claimObjectsArn()] }),
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.encryptionKey.keyArn] }),
    ], 'Claim certificate ids are assigned by AWS IoT at deploy time; the wildcard covers the claims/ folder of the vault alone.');
  }

  /**
   * Lets a role read claim certificates and their private keys; every other
   * principal is refused the keys (see restrictClaimKeyReadsTo).
   */
  public grantReadClaimCredentials(role: iam.IRole): iam.Policy {
    this.restrictClaimKeyReadsTo([role]);
    return attachRolePolicy(this, `ClaimReaderAccess${role.node.addr}`, role, [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.claimObjectsArn()] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.encryptionKey.keyArn] }),
    ], 'Claim certificate ids are assigned by AWS IoT at deploy time; the wildcard covers the claims/ folder of the vault alone.');
  }

  /**
   * Denies reading claim private keys to every principal but the roles given
   * here, with the bucket policy (a bucket this stack creates or owns). Roles
   * from several calls add up: one statement lists them all. Being listed
   * permits nothing by itself: a role also needs grantReadClaimCredentials.
   */
  public restrictClaimKeyReadsTo(readers: iam.IRole[]): void {
    const first = this.claimKeyReaders.length === 0;
    this.claimKeyReaders.push(...readers);
    if (!first) return;
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlyGranteesReadClaimPrivateKeys',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [this.bucket.arnForObjects(`${this.claimsPrefix()}/*/${CLAIM_PRIVATE_KEY_FILE}`)],
      conditions: {
        ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.claimKeyReaders.map((reader) => reader.roleArn) }) },
      },
    }));
  }

  private claimsPrefix(): string {
    return this.prefix ? `${this.prefix}/${CLAIMS_FOLDER}` : CLAIMS_FOLDER;
  }

  private claimObjectsArn(): string {
    return this.bucket.arnForObjects(`${this.claimsPrefix()}/*`);
  }

  private createBucket(): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      ...this.bucketRemoval(),
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the vault\'s access logs; logging it in turn would recurse.',
    });
    return new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'vault/',
      ...this.bucketRemoval(),
    });
  }

  /** A bucket that is destroyed is emptied first (aws-cdk-lib's auto-delete custom resource): CloudFormation deletes no bucket with objects in it. */
  private bucketRemoval(): Pick<s3.BucketProps, 'removalPolicy' | 'autoDeleteObjects'> {
    return { removalPolicy: this.removalPolicy, autoDeleteObjects: this.removalPolicy === RemovalPolicy.DESTROY };
  }
}

/**
 * The bucket the vault created, or undefined for a bucket you brought: only a created bucket follows
 * `removalPolicy` (and may be tagged by the constructs), a bucket you bring is never changed.
 */
export function createdVaultBucket(vault: CaVault): s3.Bucket | undefined {
  const created = vault.node.tryFindChild('Bucket');
  return created instanceof s3.Bucket && created === vault.bucket ? created : undefined;
}

function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}
