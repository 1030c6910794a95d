import { DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { cachedDataEndpoint } from '../../../../lambda-assets/shared/iot/data-endpoint';

const iot = mockClient(IoTClient);
afterAll(() => iot.restore());
beforeEach(() => iot.reset());

const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';

describe('cachedDataEndpoint', () => {
  test('asks for the ATS endpoint once per container, however many callers', async () => {
    iot.on(DescribeEndpointCommand).resolves({ endpointAddress: ENDPOINT });
    const endpoint = cachedDataEndpoint(new IoTClient({ region: 'eu-west-1' }));

    await expect(Promise.all([endpoint(), endpoint()])).resolves.toEqual([ENDPOINT, ENDPOINT]);
    await expect(endpoint()).resolves.toBe(ENDPOINT);
    expect(iot.commandCalls(DescribeEndpointCommand).map((call) => call.args[0].input)).toEqual([{ endpointType: 'iot:Data-ATS' }]);
  });

  test('a failure is not cached: the next caller asks again', async () => {
    iot.on(DescribeEndpointCommand).rejectsOnce(new Error('connection reset')).resolvesOnce({}).resolves({ endpointAddress: ENDPOINT });
    const endpoint = cachedDataEndpoint(new IoTClient({ region: 'eu-west-1' }));

    await expect(endpoint()).rejects.toThrow('connection reset');
    await expect(endpoint()).rejects.toThrow('DescribeEndpoint returned no endpoint address');
    await expect(endpoint()).resolves.toBe(ENDPOINT);
    expect(iot.commandCalls(DescribeEndpointCommand)).toHaveLength(3);
  });
});
