/** The KMS API operations the local KMS answers, from awsJson1_1 input to output shapes. */
import { KmsError } from './errors';
import type { KmsKeyMetadata, LocalKms } from './local-kms';
import type { Principal } from '../iam/types';

type Json = Record<string, unknown>;
export type KmsOperation = (kms: LocalKms, principal: Principal, input: Json) => Json;

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

function describe(metadata: KmsKeyMetadata, accountId: string): Json {
  return {
    AWSAccountId: accountId,
    KeyId: metadata.keyId,
    Arn: metadata.arn,
    // awsJson timestamps are epoch seconds.
    CreationDate: metadata.creationDate.getTime() / 1000,
    Enabled: metadata.enabled,
    Description: metadata.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: metadata.enabled ? 'Enabled' : 'Disabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
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
};
