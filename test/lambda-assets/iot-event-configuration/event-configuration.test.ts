import { IoTClient, UpdateEventConfigurationsCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { captureLogs } from '../token-authorizer/support';

const REGION = 'eu-west-1';
const SERVICE_TOKEN = `arn:aws:lambda:${REGION}:123456789012:function:GatewayStack-EventsProviderframeworkonEvent`;
const common = {
  ServiceToken: SERVICE_TOKEN,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/x',
  StackId: `arn:aws:cloudformation:${REGION}:123456789012:stack/GatewayStack/5b2a4c10-1f1e-11f0-9a2b-0a1b2c3d4e5f`,
  RequestId: 'req-1',
  LogicalResourceId: 'RegistryEvents1A2B3C',
  ResourceType: 'Custom::IotEventConfiguration',
};
const props = (eventTypes?: unknown) => ({
  ServiceToken: SERVICE_TOKEN,
  ...(eventTypes === undefined ? {} : { EventTypes: eventTypes as string[] }),
});

const iot = mockClient(IoTClient);
let handler: (event: CloudFormationCustomResourceEvent, context?: Context) => Promise<unknown>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  process.env.AWS_REGION = REGION;
  const module = jest.requireActual<typeof import('../../../lambda-assets/iot-event-configuration')>('../../../lambda-assets/iot-event-configuration');
  handler = (event, context) => module.handler(event, context);
});
afterAll(() => iot.restore());
beforeEach(() => {
  iot.reset();
  iot.on(UpdateEventConfigurationsCommand).resolves({});
  logs = captureLogs();
});
afterEach(() => logs.restore());

const sent = () => iot.commandCalls(UpdateEventConfigurationsCommand).map((call) => call.args[0].input);

describe('iot-event-configuration', () => {
  test('Create turns on THING registry events', async () => {
    const result = await handler({ ...common, RequestType: 'Create', ResourceProperties: props() });

    expect(sent()).toEqual([{ eventConfigurations: { THING: { Enabled: true } } }]);
    expect(result).toEqual({ PhysicalResourceId: 'iot-event-configuration', Data: { EnabledEventTypes: 'THING' } });
  });

  test('Create with EventTypes adds THING_TYPE and THING_GROUP, THING always included, each once', async () => {
    const result = await handler({ ...common, RequestType: 'Create', ResourceProperties: props(['THING_GROUP', 'THING_TYPE', 'THING_GROUP']) });

    expect(sent()).toEqual([{ eventConfigurations: { THING: { Enabled: true }, THING_TYPE: { Enabled: true }, THING_GROUP: { Enabled: true } } }]);
    expect(result).toMatchObject({ Data: { EnabledEventTypes: 'THING,THING_TYPE,THING_GROUP' } });
  });

  test('Update sends the new set, keeps the physical id, and turns nothing off (a dropped type is only logged)', async () => {
    const result = await handler({
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: 'iot-event-configuration',
      ResourceProperties: props(['THING_TYPE']),
      OldResourceProperties: props(['THING_TYPE', 'THING_GROUP']),
    });

    expect(sent()).toEqual([{ eventConfigurations: { THING: { Enabled: true }, THING_TYPE: { Enabled: true } } }]);
    expect(JSON.stringify(sent())).not.toContain('false');
    expect(result).toMatchObject({ PhysicalResourceId: 'iot-event-configuration' });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ message: expect.stringContaining('stay enabled'), dropped: ['THING_GROUP'] }));
  });

  test('Delete leaves the account-wide setting as it is: no call, logged', async () => {
    const result = await handler({ ...common, RequestType: 'Delete', PhysicalResourceId: 'iot-event-configuration', ResourceProperties: props(['THING_TYPE']) });

    expect(iot.calls().length).toBe(0);
    expect(result).toMatchObject({ PhysicalResourceId: 'iot-event-configuration' });
    expect(logs.lines()).toEqual([expect.objectContaining({ message: 'registry events left enabled on delete', requestType: 'Delete' })]);
  });

  test.each([['JOB'], ['thing'], [[42]]])('an EventTypes entry that is not a registry event type (%j) fails the step, naming it, no call', async (bad) => {
    const eventTypes = Array.isArray(bad) ? bad : [bad];
    await expect(handler({ ...common, RequestType: 'Create', ResourceProperties: props(eventTypes) })).rejects.toThrow(/^EventTypes: /);
    expect(iot.calls().length).toBe(0);
  });

  test('EventTypes that is not a list fails the step', async () => {
    await expect(handler({ ...common, RequestType: 'Create', ResourceProperties: props('THING_TYPE') })).rejects.toThrow(/EventTypes must be a list/);
  });

  test('an AWS failure fails the step with its message, logged without a stack', async () => {
    iot.on(UpdateEventConfigurationsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedException' }));

    await expect(handler({ ...common, RequestType: 'Create', ResourceProperties: props() })).rejects.toThrow('not authorized');
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', errorName: 'UnauthorizedException' }));
    expect(logs.raw()).not.toContain('    at ');
  });
});
