import { REGISTRAR_ENV, THING_TYPES } from './support';
import { readConfig } from '../../../lambda-assets/device-registrar/config';
import { parseRegistrationRequest } from '../../../lambda-assets/device-registrar/request';

const token = { tokenId: 'line-7', tokenHash: 'a'.repeat(64), oneTime: false, allowReissue: false, thingTypes: [] };

describe('device registrar config', () => {
  test('reads the construct\'s environment; the ledger prefix loses stray slashes', () => {
    const config = readConfig(REGISTRAR_ENV);
    expect(config).toMatchObject({ defaultThingType: 'sensor', ledgerBucket: 'registration-ledger-bucket', ledgerPrefix: 'used-tokens' });
    expect(config.thingTypes.get('bare')).toEqual({ policyName: 'BarePolicy-5E6F', attributes: ['a', 'b', 'c'] });
    expect(readConfig({ ...REGISTRAR_ENV, TOKEN_LEDGER_PREFIX: undefined }).ledgerPrefix).toBe('used-tokens');
  });

  test('without DEFAULT_THING_TYPE a request must name its type', () => {
    const config = readConfig({ ...REGISTRAR_ENV, DEFAULT_THING_TYPE: undefined });
    expect(config.defaultThingType).toBeUndefined();
    expect(() => parseRegistrationRequest({ thingName: 'x', version: '1' }, config, token)).toThrow(/^thingType: is required/);
    expect(parseRegistrationRequest({ thingName: 'x', version: '1', thingType: 'gateway' }, config, token).type).toBe(config.thingTypes.get('gateway'));
  });

  test.each([
    [{ THING_TYPES: undefined }, /THING_TYPES.*not set/],
    [{ THING_TYPES: '{' }, /THING_TYPES.*not JSON/],
    [{ THING_TYPES: '{}' }, /THING_TYPES.*non-empty/],
    [{ THING_TYPES: JSON.stringify({ sensor: { ...THING_TYPES.sensor, policyName: 'bad name' } }) }, /policyName/],
    [{ THING_TYPES: JSON.stringify({ sensor: { ...THING_TYPES.sensor, attributes: ['version'] } }) }, /attributes/],
    [{ DEFAULT_THING_TYPE: 'toaster' }, /DEFAULT_THING_TYPE/],
    [{ TOKEN_LEDGER_BUCKET: undefined }, /TOKEN_LEDGER_BUCKET/],
  ])('%j is refused naming the variable', (override, message) => {
    expect(() => readConfig({ ...REGISTRAR_ENV, ...override })).toThrow(message);
  });
});
