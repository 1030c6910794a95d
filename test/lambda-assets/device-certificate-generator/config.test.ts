import { readConfig } from '../../../lambda-assets/device-certificate-generator/config';

const BASE = { VAULT_BUCKET: 'vault', REGISTRAR_ID: 'stack-1' };

describe('the device certificate generator\'s environment', () => {
  test('defaults: 365 days, at most 3650; the vault prefix normalized; no key ARN means none', () => {
    expect(readConfig({ ...BASE, VAULT_PREFIX: '/cas/' })).toEqual({
      vaultBucket: 'vault',
      vaultPrefix: 'cas',
      vaultKeyArn: undefined,
      registrarId: 'stack-1',
      defaultValidityDays: 365,
      maxValidityDays: 3650,
      caKeyStorage: 'VAULT',
    });
  });

  test('CA_KEY_STORAGE: VAULT or KMS', () => {
    expect(readConfig({ ...BASE, CA_KEY_STORAGE: 'KMS' })).toMatchObject({ caKeyStorage: 'KMS' });
    expect(readConfig({ ...BASE, CA_KEY_STORAGE: 'VAULT' })).toMatchObject({ caKeyStorage: 'VAULT' });
  });

  test('the construct\'s values are taken as they are', () => {
    expect(readConfig({ ...BASE, DEFAULT_DEVICE_VALIDITY_DAYS: '30', MAX_DEVICE_VALIDITY_DAYS: '90', VAULT_KEY_ARN: 'arn:k' }))
      .toMatchObject({ defaultValidityDays: 30, maxValidityDays: 90, vaultKeyArn: 'arn:k' });
  });

  test.each([
    [{ VAULT_BUCKET: 'vault' }, 'environment variable REGISTRAR_ID is not set'],
    [{ REGISTRAR_ID: 'r' }, 'environment variable VAULT_BUCKET is not set'],
    [{ ...BASE, DEFAULT_DEVICE_VALIDITY_DAYS: 'a year' }, "DEFAULT_DEVICE_VALIDITY_DAYS must be a whole number of days from 1 to 3650, got 'a year'"],
    [{ ...BASE, DEFAULT_DEVICE_VALIDITY_DAYS: '0' }, 'DEFAULT_DEVICE_VALIDITY_DAYS must be a whole number of days from 1 to 3650'],
    [{ ...BASE, MAX_DEVICE_VALIDITY_DAYS: '3651' }, 'MAX_DEVICE_VALIDITY_DAYS must be a whole number of days from 1 to 3650'],
    [{ ...BASE, DEFAULT_DEVICE_VALIDITY_DAYS: '400', MAX_DEVICE_VALIDITY_DAYS: '365' }, 'DEFAULT_DEVICE_VALIDITY_DAYS must be a whole number of days from 1 to 365'],
    [{ ...BASE, CA_KEY_STORAGE: 'HSM' }, "CA_KEY_STORAGE must be VAULT or KMS, got 'HSM'"],
  ])('refused at load: %p', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
