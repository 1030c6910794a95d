/** The KMS API operations the local KMS answers, from awsJson1_1 input to output shapes. */
import { KmsError } from './errors';
import type { KmsKeyMetadata, KmsTag, LocalKms } from './local-kms';
import type { Principal } from '../iam/types';

type Json = Record<string, unknown>;
export type KmsOperation = (kms: LocalKms, principal: Principal, input: Json) => Json | Promise<Json>;

function requiredString(input: Json, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') throw new KmsError('ValidationException', `${name} is required`);
  return value;
}

/** awsJson1_1 sends blobs base64. */
function requiredBlob(input: Json, name: string): Buffer {
  return Buffer.from(requiredString(input, name), 'base64');
}

function encryptionContext(input: Json): Record<string, string> | undefined {
  const value = input.EncryptionContext;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new KmsError('ValidationException', 'EncryptionContext must map strings to strings');
  }
  return value as Record<string, string>;
}

function dataKeyBytes(input: Json): number {
  if (input.NumberOfBytes !== undefined) return input.NumberOfBytes as number;
  switch (input.KeySpec) {
    case 'AES_256': return 32;
    case 'AES_128': return 16;
    case undefined: throw new KmsError('ValidationException', 'Either KeySpec or NumberOfBytes is required');
    default: throw new KmsError('ValidationException', `KeySpec ${String(input.KeySpec)} is not supported`);
  }
}

function optionalString(input: Json, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new KmsError('ValidationException', `${name} must be a string`);
  return value;
}

function optionalBoolean(input: Json, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new KmsError('ValidationException', `${name} must be a boolean`);
  return value;
}

function tagList(input: Json, name: string): KmsTag[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new KmsError('ValidationException', `${name} must be a list of {TagKey, TagValue}`);
  return value as KmsTag[];
}

// awsJson timestamps are epoch seconds.
const epochSeconds = (date: Date) => date.getTime() / 1000;

function describe(metadata: KmsKeyMetadata, accountId: string): Json {
  return {
    AWSAccountId: accountId,
    KeyId: metadata.keyId,
    Arn: metadata.arn,
    CreationDate: epochSeconds(metadata.creationDate),
    Enabled: metadata.enabled,
    Description: metadata.description,
    KeyUsage: metadata.keyUsage,
    KeyState: metadata.keyState,
    ...(metadata.deletionDate ? { DeletionDate: epochSeconds(metadata.deletionDate) } : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: metadata.keySpec,
    CustomerMasterKeySpec: metadata.keySpec,
    ...(metadata.keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: metadata.signingAlgorithms } : { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }),
    MultiRegion: false,
  };
}

export const KMS_OPERATIONS: Readonly<Record<string, KmsOperation>> = {
  GenerateDataKey: (kms, principal, input) => {
    const key = kms.generateDataKey(principal, requiredString(input, 'KeyId'), {
      numberOfBytes: dataKeyBytes(input),
      encryptionContext: encryptionContext(input),
    });
    return { KeyId: key.keyArn, Plaintext: key.plaintext.toString('base64'), CiphertextBlob: key.ciphertextBlob.toString('base64') };
  },
  Encrypt: (kms, principal, input) => {
    const result = kms.encrypt(principal, requiredString(input, 'KeyId'), requiredBlob(input, 'Plaintext'), {
      encryptionContext: encryptionContext(input),
    });
    return { KeyId: result.keyArn, CiphertextBlob: result.ciphertextBlob.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },
  Decrypt: (kms, principal, input) => {
    const result = kms.decrypt(principal, requiredBlob(input, 'CiphertextBlob'), {
      expectedKeyId: typeof input.KeyId === 'string' ? input.KeyId : undefined,
      encryptionContext: encryptionContext(input),
    });
    return { KeyId: result.keyArn, Plaintext: result.plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },
  DescribeKey: (kms, principal, input) => ({
    KeyMetadata: describe(kms.describeKey(principal, requiredString(input, 'KeyId')), kms.accountId),
  }),
  CreateKey: async (kms, principal, input) => {
    if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) {
      throw new KmsError('UnsupportedOperationException', 'Custom key stores are not supported by the local KMS');
    }
    const metadata = await kms.createKeyAs(principal, {
      // CustomerMasterKeySpec is the deprecated name of KeySpec; KMS still takes it.
      keySpec: optionalString(input, 'KeySpec') ?? optionalString(input, 'CustomerMasterKeySpec'),
      keyUsage: optionalString(input, 'KeyUsage'),
      policy: optionalString(input, 'Policy'),
      description: optionalString(input, 'Description'),
      tags: tagList(input, 'Tags'),
      origin: optionalString(input, 'Origin'),
      multiRegion: optionalBoolean(input, 'MultiRegion'),
      bypassPolicyLockoutSafetyCheck: optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck'),
    });
    return { KeyMetadata: describe(metadata, kms.accountId) };
  },
  GetPublicKey: (kms, principal, input) => {
    const key = kms.getPublicKey(principal, requiredString(input, 'KeyId'));
    return {
      KeyId: key.keyArn,
      PublicKey: key.publicKey.toString('base64'),
      KeySpec: key.keySpec,
      CustomerMasterKeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
      SigningAlgorithms: key.signingAlgorithms,
    };
  },
  Sign: (kms, principal, input) => {
    const signed = kms.sign(principal, requiredString(input, 'KeyId'), {
      message: requiredBlob(input, 'Message'),
      messageType: optionalString(input, 'MessageType'),
      signingAlgorithm: requiredString(input, 'SigningAlgorithm'),
    });
    return { KeyId: signed.keyArn, Signature: signed.signature.toString('base64'), SigningAlgorithm: signed.signingAlgorithm };
  },
  ScheduleKeyDeletion: (kms, principal, input) => {
    const window = input.PendingWindowInDays;
    if (window !== undefined && typeof window !== 'number') throw new KmsError('ValidationException', 'PendingWindowInDays must be a number');
    const metadata = kms.scheduleKeyDeletion(principal, requiredString(input, 'KeyId'), window);
    return {
      KeyId: metadata.arn,
      DeletionDate: epochSeconds(metadata.deletionDate!),
      KeyState: metadata.keyState,
      PendingWindowInDays: window ?? 30,
    };
  },
  TagResource: (kms, principal, input) => {
    kms.tagResource(principal, requiredString(input, 'KeyId'), tagList(input, 'Tags'));
    return {};
  },
  ListResourceTags: (kms, principal, input) => ({ Tags: kms.listResourceTags(principal, requiredString(input, 'KeyId')), Truncated: false }),
};
