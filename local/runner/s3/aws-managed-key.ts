/**
 * The `aws/s3` key S3 uses for SSE-KMS when neither the request nor the bucket names a key. Its key
 * policy is the one AWS gives its managed keys: anyone in the account, but only through S3.
 */
import type { LocalKms } from '../kms';

export const AWS_S3_ALIAS = 'alias/aws/s3';

export function awsManagedS3Key(kms: LocalKms): string {
  const existing = kms.keyArnOf(AWS_S3_ALIAS);
  if (existing) return existing;
  const { keyId, arn } = kms.createKey({
    description: 'Default key that protects my S3 objects when no other key is defined',
    keyPolicy: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': kms.accountId, 'kms:ViaService': `s3.${kms.region}.amazonaws.com` } },
      }],
    },
  });
  kms.createAlias(AWS_S3_ALIAS, keyId);
  return arn;
}
