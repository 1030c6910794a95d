import { createHash } from 'node:crypto';
import {
  CreateKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  type KeySpec,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { ClientError } from '../http/client-error';
import { isAwsError } from '../iot/aws-errors';
import { REGISTRAR_TAG } from '../iot/ownership-tags';
import type { CertificateSigner, KeyAlgorithm, SignatureParams } from '../pki';

/** The tag that ties a KMS CA key to its CA (the CA certificate's AWS IoT id). */
export const CA_CERTIFICATE_ID_TAG = 'cdk-iot-security:ca-certificate-id';

interface KmsAlgorithm {
  readonly keySpec: KeySpec;
  readonly signingAlgorithm: SigningAlgorithmSpec;
  readonly signature: SignatureParams;
}

/**
 * How each CA key algorithm is held in KMS: the same keys and signatures as a CA made in the vault
 * (RSA signs PKCS#1 v1.5 with SHA-256, ECDSA with its curve's hash), so AWS IoT sees no difference.
 */
export const KMS_CA_KEY_ALGORITHMS: Readonly<Record<KeyAlgorithm, KmsAlgorithm>> = {
  'ECDSA-P256': { keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256', signature: { name: 'ECDSA', hash: 'SHA-256' } },
  'ECDSA-P384': { keySpec: 'ECC_NIST_P384', signingAlgorithm: 'ECDSA_SHA_384', signature: { name: 'ECDSA', hash: 'SHA-384' } },
  'RSA-2048': { keySpec: 'RSA_2048', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', signature: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } },
  'RSA-3072': { keySpec: 'RSA_3072', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', signature: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } },
  'RSA-4096': { keySpec: 'RSA_4096', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', signature: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } },
};

/** The KMS key specs of CA keys, for the construct's kms:KeySpec condition. */
export const KMS_CA_KEY_SPECS: readonly string[] = [...new Set(Object.values(KMS_CA_KEY_ALGORITHMS).map((algorithm) => algorithm.keySpec))];

/**
 * What the vault keeps of a KMS-held CA key (`ca.kms_key.json`): which key, and how it signs. No
 * key material: the private key never leaves KMS.
 */
export interface KmsCaKeyRecord {
  readonly keyArn: string;
  readonly keySpec: string;
  readonly signingAlgorithm: string;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-zA-Z-]{1,128}$/;
const SIGNATURE_OF: Readonly<Record<string, SignatureParams>> = Object.fromEntries(
  Object.values(KMS_CA_KEY_ALGORITHMS).map((algorithm) => [algorithm.signingAlgorithm, algorithm.signature]),
);

export function serializeKmsCaKeyRecord(record: KmsCaKeyRecord): string {
  return JSON.stringify({ keyArn: record.keyArn, keySpec: record.keySpec, signingAlgorithm: record.signingAlgorithm }, null, 2);
}

/** Reads a vault record back; a record that is not one is our fault (a 500 with the reason in the log). */
export function parseKmsCaKeyRecord(text: string, where: string): KmsCaKeyRecord {
  let record: Partial<Record<keyof KmsCaKeyRecord, unknown>> | undefined;
  try {
    record = JSON.parse(text);
  } catch {
    record = undefined;
  }
  if (typeof record?.keyArn !== 'string' || !KEY_ARN.test(record.keyArn) || typeof record.keySpec !== 'string'
    || typeof record.signingAlgorithm !== 'string' || !SIGNATURE_OF[record.signingAlgorithm]) {
    throw new Error(`${where} is not a KMS CA key record ({keyArn, keySpec, signingAlgorithm})`);
  }
  return { keyArn: record.keyArn, keySpec: record.keySpec, signingAlgorithm: record.signingAlgorithm };
}

/** A KMS client whose retries absorb throttling of Sign (KMS's request quotas are per account and Region). */
export function createKmsClient(maxAttempts = Number(process.env.KMS_MAX_ATTEMPTS ?? 8)): KMSClient {
  return new KMSClient({ maxAttempts, retryMode: 'standard' });
}

const NODE_HASH: Readonly<Record<SignatureParams['hash'], string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/**
 * Signs with a KMS-held CA key. The TBSCertificate is hashed here and KMS signs the digest
 * (MessageType DIGEST), so a certificate of any size can be signed and only 32 or 48 bytes travel.
 * KMS answers ECDSA signatures as DER and RSA ones as PKCS#1 v1.5 bytes: as X.509 carries them.
 */
export function kmsSigner(kms: KMSClient, record: KmsCaKeyRecord): CertificateSigner {
  const algorithm = SIGNATURE_OF[record.signingAlgorithm];
  if (!algorithm) throw new Error(`signing algorithm ${record.signingAlgorithm} is not one of a CA key`);
  return {
    algorithm,
    sign: async (toBeSigned) => {
      const digest = createHash(NODE_HASH[algorithm.hash]).update(toBeSigned).digest();
      try {
        const { Signature } = await kms.send(new SignCommand({
          KeyId: record.keyArn,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: record.signingAlgorithm as SigningAlgorithmSpec,
        }));
        if (!Signature) throw new Error(`KMS Sign returned no signature for ${record.keyArn}`);
        return Signature;
      } catch (error) {
        throw signingRefusal(error, record.keyArn) ?? error;
      }
    },
  };
}

/** KMS refusals a caller can act on: a key that cannot sign now, or throttling. Anything else is our fault. */
function signingRefusal(error: unknown, keyArn: string): ClientError | undefined {
  if (isAwsError(error, 'DisabledException', 'KMSInvalidStateException', 'NotFoundException')) {
    return new ClientError(409, 'CaKeyUnavailable',
      `caCertificateId: the CA's key in AWS KMS (${keyArn}) is disabled, pending deletion or deleted, so nothing can be signed with it`);
  }
  if (isAwsError(error, 'ThrottlingException')) {
    return new ClientError(429, 'Throttled', 'AWS KMS is throttling signatures; retry with back-off.');
  }
  return undefined;
}

export interface KmsCaKeysOptions {
  /** The CA registrator's own role: it makes each key and signs the CA and verification certificates with it. */
  readonly registratorRoleArn: string;
  /** Roles that sign device certificates with the CA keys (the device certificate generator, your factory's role). */
  readonly signerRoleArns: readonly string[];
  /** The construct's registrar id, tagged on each key. */
  readonly registrarId: string;
}

/**
 * The CA registrator's side of KMS-held CA keys: one asymmetric SIGN_VERIFY key per CA, whose key
 * policy lets the account administer it but lets only the named roles sign with it.
 */
export class KmsCaKeys {
  private readonly account: { partition: string; accountId: string };

  constructor(private readonly kms: KMSClient, private readonly options: KmsCaKeysOptions) {
    const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\//.exec(options.registratorRoleArn);
    if (!match) throw new Error(`the CA registrator's role ARN '${options.registratorRoleArn}' is not an IAM role ARN`);
    this.account = { partition: match[1], accountId: match[2] };
  }

  /** A new CA key (no tags yet: TagResource names the CA once its certificate exists). */
  async create(keyAlgorithm: KeyAlgorithm, caName: string): Promise<KmsCaKeyRecord> {
    const algorithm = KMS_CA_KEY_ALGORITHMS[keyAlgorithm];
    const { KeyMetadata } = await this.kms.send(new CreateKeyCommand({
      KeySpec: algorithm.keySpec,
      KeyUsage: 'SIGN_VERIFY',
      Origin: 'AWS_KMS',
      MultiRegion: false,
      Description: `CA key of cdk-iot-security (${this.options.registrarId}): ${caName}`.slice(0, 8192),
      Policy: JSON.stringify(this.keyPolicy(algorithm.signingAlgorithm)),
    }));
    if (!KeyMetadata?.Arn) throw new Error('KMS CreateKey returned no key ARN');
    return { keyArn: KeyMetadata.Arn, keySpec: algorithm.keySpec, signingAlgorithm: algorithm.signingAlgorithm };
  }

  /** The key's DER SubjectPublicKeyInfo. */
  async publicKey(record: KmsCaKeyRecord): Promise<Uint8Array> {
    const { PublicKey, KeySpec: keySpec } = await this.kms.send(new GetPublicKeyCommand({ KeyId: record.keyArn }));
    if (!PublicKey) throw new Error(`KMS GetPublicKey returned no public key for ${record.keyArn}`);
    if (keySpec !== undefined && keySpec !== record.keySpec) throw new Error(`KMS key ${record.keyArn} is ${keySpec}, not ${record.keySpec}`);
    return PublicKey;
  }

  signer(record: KmsCaKeyRecord): CertificateSigner {
    return kmsSigner(this.kms, record);
  }

  /** Ties the key to its CA and to this construct by tags. */
  async tagForCa(record: KmsCaKeyRecord, caCertificateId: string): Promise<void> {
    await this.kms.send(new TagResourceCommand({
      KeyId: record.keyArn,
      Tags: [{ TagKey: REGISTRAR_TAG, TagValue: this.options.registrarId }, { TagKey: CA_CERTIFICATE_ID_TAG, TagValue: caCertificateId }],
    }));
  }

  /** A key whose CA was not registered is of no use: deleted after KMS's shortest waiting period (7 days, cancellable). */
  async scheduleDeletion(record: KmsCaKeyRecord): Promise<void> {
    await this.kms.send(new ScheduleKeyDeletionCommand({ KeyId: record.keyArn, PendingWindowInDays: 7 }));
  }

  /**
   * The key policy of a CA key:
   * - the account administers it through IAM (describe, tag, schedule deletion, change this policy)
   *   but can never grant kms:Sign: only this policy does;
   * - the registrator reads the public key, tags the key, and may schedule its deletion (when the
   *   CA's registration fails);
   * - the registrator and the signer roles sign, with the CA's one algorithm, and read the key;
   * - everyone else is explicitly denied kms:Sign, whatever their IAM policies say.
   */
  keyPolicy(signingAlgorithm: string): Record<string, unknown> {
    const { partition, accountId } = this.account;
    const signers = [...new Set([this.options.registratorRoleArn, ...this.options.signerRoleArns])];
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AccountAdministersButNeverSigns',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
          NotAction: 'kms:Sign',
          Resource: '*',
        },
        {
          Sid: 'RegistratorSetsUpTheKey',
          Effect: 'Allow',
          Principal: { AWS: this.options.registratorRoleArn },
          Action: ['kms:TagResource', 'kms:ScheduleKeyDeletion'],
          Resource: '*',
        },
        {
          Sid: 'SignersReadTheKey',
          Effect: 'Allow',
          Principal: { AWS: signers },
          Action: ['kms:GetPublicKey', 'kms:DescribeKey'],
          Resource: '*',
        },
        {
          Sid: 'OnlyCaSignersSign',
          Effect: 'Allow',
          Principal: { AWS: signers },
          Action: 'kms:Sign',
          Resource: '*',
          Condition: { StringEquals: { 'kms:SigningAlgorithm': signingAlgorithm } },
        },
        {
          Sid: 'NoOneElseSigns',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:Sign',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': signers } },
        },
      ],
    };
  }
}
