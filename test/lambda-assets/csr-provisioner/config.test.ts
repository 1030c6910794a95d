import { readConfig } from '../../../lambda-assets/csr-provisioner/config';
import { checkThingType } from '../../../lambda-assets/csr-provisioner/registry';
import { ClientError } from '../../../lambda-assets/shared/http/client-error';
import { createIotClient } from '../../../lambda-assets/shared/iot/iot-client';

describe('readConfig', () => {
  test('DEVICE_POLICY_NAME is required and must be a policy name', () => {
    expect(() => readConfig({})).toThrow(/DEVICE_POLICY_NAME is not set/);
    expect(() => readConfig({ DEVICE_POLICY_NAME: 'a policy' })).toThrow(/DEVICE_POLICY_NAME must be/);
  });

  test.each([[undefined], [''], ['[]']])('ALLOWED_THING_TYPES %p allows any existing type', (raw) => {
    expect(readConfig({ DEVICE_POLICY_NAME: 'P', ALLOWED_THING_TYPES: raw })).toEqual({ devicePolicyName: 'P', allowedThingTypes: undefined });
  });

  test('ALLOWED_THING_TYPES is a JSON array of names', () => {
    expect(readConfig({ DEVICE_POLICY_NAME: 'P', ALLOWED_THING_TYPES: '["Sensor","Gateway"]' }).allowedThingTypes).toEqual(['Sensor', 'Gateway']);
    expect(() => readConfig({ DEVICE_POLICY_NAME: 'P', ALLOWED_THING_TYPES: 'Sensor' })).toThrow(/JSON array/);
    expect(() => readConfig({ DEVICE_POLICY_NAME: 'P', ALLOWED_THING_TYPES: '[1]' })).toThrow(/JSON array/);
  });
});

test('a thing type outside ALLOWED_THING_TYPES is a 400 naming ThingTypeName, before AWS is asked', async () => {
  const iot = createIotClient(1);
  const send = jest.spyOn(iot, 'send');
  const refusal = await checkThingType(iot, 'Camera', ['Sensor']).catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(ClientError);
  expect(refusal).toMatchObject({ statusCode: 400, code: 'ThingTypeNotAllowed', message: expect.stringMatching(/^ThingTypeName: 'Camera'.*Sensor/) });
  expect(send).not.toHaveBeenCalled();
});
