/**
 * AWS::IoT::ThingType through the stack runner: named and unnamed types with their properties land in the registry,
 * so @aws-sdk/client-iot's DescribeThingType and CreateThing with a type (and its searchable attributes) work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateThingCommand, DescribeThingCommand, DescribeThingTypeCommand, IoTClient, ListThingsCommand } from '@aws-sdk/client-iot';
import { startStackRunner, type RunningStacks } from '../../../../local/runner/stack-runner';
import { writeCloudAssembly } from '../../support/hand-written-assembly';

const STACK = 'ThingTypes';
let runner: RunningStacks;
let assembly: string;
let state: string;
let iot: IoTClient;

beforeAll(async () => {
  assembly = writeCloudAssembly(STACK, {
    GatewayType: {
      Type: 'AWS::IoT::ThingType',
      Properties: {
        ThingTypeName: 'gateway-device',
        ThingTypeProperties: { ThingTypeDescription: 'devices the registration gateway registers', SearchableAttributes: ['version', 'serial'] },
        Tags: [{ Key: 'owner', Value: 'gateway' }],
      },
    },
    Unnamed: { Type: 'AWS::IoT::ThingType', Properties: { DeprecateThingType: false } },
    Deprecated: { Type: 'AWS::IoT::ThingType', Properties: { DeprecateThingType: true } },
  }, {
    TypeArn: { Value: { 'Fn::GetAtt': ['GatewayType', 'Arn'] } },
    TypeId: { Value: { 'Fn::GetAtt': ['GatewayType', 'Id'] } },
    UnnamedRef: { Value: { Ref: 'Unnamed' } },
  });
  state = mkdtempSync(join(tmpdir(), 'thing-types-state-'));
  runner = await startStackRunner({ cloudAssemblies: [assembly], stateDirectory: state, rateLimits: false });
  iot = new IoTClient({ endpoint: runner.endpoints.IOT, region: runner.region, credentials: runner.adminCredentials });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  rmSync(assembly, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

test('a named thing type: Ref is the name, Arn and Id as DescribeThingType answers them', async () => {
  const outputs = runner.stacks[0].outputs;
  expect(runner.resource(STACK, 'GatewayType').physicalId).toBe('gateway-device');
  const described = await iot.send(new DescribeThingTypeCommand({ thingTypeName: 'gateway-device' }));
  expect(described).toMatchObject({
    thingTypeName: 'gateway-device',
    thingTypeArn: 'arn:aws:iot:us-east-1:123456789012:thingtype/gateway-device',
    thingTypeId: outputs.TypeId,
    thingTypeProperties: { thingTypeDescription: 'devices the registration gateway registers', searchableAttributes: ['version', 'serial'] },
    thingTypeMetadata: { deprecated: false },
  });
  expect(outputs.TypeArn).toBe(described.thingTypeArn);
});

test('an unnamed thing type gets <logical id>-<suffix>; DeprecateThingType is listed as not modelled', async () => {
  expect(runner.stacks[0].outputs.UnnamedRef).toMatch(/^Unnamed-[A-Z0-9]{12}$/);
  await expect(iot.send(new DescribeThingTypeCommand({ thingTypeName: runner.stacks[0].outputs.UnnamedRef }))).resolves.toBeDefined();
  expect(runner.notRun).toEqual(expect.arrayContaining([expect.stringMatching(/^ThingTypes\/Deprecated: DeprecateThingType is not modelled/)]));
  expect(runner.notRun.filter((sentence) => sentence.includes('AWS::IoT::ThingType'))).toEqual([]);
});

test('CreateThing with the type and attributes; ListThings by type finds it', async () => {
  await iot.send(new CreateThingCommand({ thingName: 'gw-001', thingTypeName: 'gateway-device', attributePayload: { attributes: { version: '1.0', serial: '001' } } }));
  expect(await iot.send(new DescribeThingCommand({ thingName: 'gw-001' }))).toMatchObject({ thingTypeName: 'gateway-device', attributes: { version: '1.0' } });
  const listed = await iot.send(new ListThingsCommand({ thingTypeName: 'gateway-device' }));
  expect(listed.things?.map((thing) => thing.thingName)).toEqual(['gw-001']);
  await expect(iot.send(new CreateThingCommand({ thingName: 'gw-002', thingTypeName: 'no-such-type' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});
