import { readVaultLocation } from '../../../../lambda-assets/shared/vault/vault-location';

describe('the vault\'s location from a handler\'s environment', () => {
  test('the vault: bucket, normalized prefix, key ARN (none when empty)', () => {
    expect(readVaultLocation({ VAULT_BUCKET: 'vault', VAULT_PREFIX: '/ca-vault/', VAULT_KEY_ARN: 'arn:k' })).toEqual({ bucket: 'vault', prefix: 'ca-vault', kmsKeyArn: 'arn:k' });
    expect(readVaultLocation({ VAULT_BUCKET: 'vault', VAULT_KEY_ARN: '' })).toEqual({ bucket: 'vault', prefix: '', kmsKeyArn: undefined });
  });

  test('refused at load without a bucket', () => {
    expect(() => readVaultLocation({ VAULT_PREFIX: 'x' })).toThrow('environment variable VAULT_BUCKET is not set');
  });
});
