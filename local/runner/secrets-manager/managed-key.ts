/**
 * `aws/secretsmanager`, the AWS managed key Secrets Manager encrypts with when a secret names no KmsKeyId. Its key
 * policy is the one AWS gives its managed keys: anyone in the account, but only through Secrets Manager.
 */
import type { LocalKms } from '../kms';

export const AWS_SECRETS_MANAGER_ALIAS = 'alias/aws/secretsmanager';

export function awsManagedSecretsManagerKey(kms: LocalKms): string {
  const existing = kms.keyArnOf(AWS_SECRETS_MANAGER_ALIAS);
  if (existing) return existing;
  const { keyId, arn } = kms.createKey({
    description: 'Default key that protects my Secrets Manager data when no other key is defined',
    keyPolicy: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': kms.accountId, 'kms:ViaService': `secretsmanager.${kms.region}.amazonaws.com` } },
      }],
    },
  });
  kms.createAlias(AWS_SECRETS_MANAGER_ALIAS, keyId);
  return arn;
}
