import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DescribeThingCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { TableAccessControl, type TestGrant, type TestKey } from './sigv4-access-control';
import { IotModel, startControlPlane, type ControlPlane } from '../../../../local/iot';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ARN = `arn:aws:iot:${REGION}:${ACCOUNT}`;

const ADMIN: TestKey = { accessKeyId: 'AKIAADMIN', secretAccessKey: 'admin-secret', principalArn: `arn:aws:iam::${ACCOUNT}:user/admin` };
const SENSORS: TestKey = { accessKeyId: 'AKIASENSORS', secretAccessKey: 'sensors-secret', principalArn: `arn:aws:iam::${ACCOUNT}:role/SensorMaker` };
const CERT_ONLY: TestKey = { accessKeyId: 'AKIACERTONLY', secretAccessKey: 'cert-secret', principalArn: `arn:aws:iam::${ACCOUNT}:role/CertOnly` };
const POLICY_ONLY: TestKey = { accessKeyId: 'AKIAPOLICYONLY', secretAccessKey: 'policy-secret', principalArn: `arn:aws:iam::${ACCOUNT}:role/PolicyOnly` };
const ACTIVATOR: TestKey = { accessKeyId: 'AKIAACTIVATOR', secretAccessKey: 'activator-secret', principalArn: `arn:aws:iam::${ACCOUNT}:role/Activator` };

const ADMIN_ACTIONS = ['CreateThing', 'DescribeThing', 'ListThings', 'CreateKeysAndCertificate', 'CreatePolicy', 'ListAttachedPolicies'];
const GRANTS: TestGrant[] = [
  ...ADMIN_ACTIONS.map(op => ({ principalArn: ADMIN.principalArn, action: `iot:${op}`, resource: '*' })),
  { principalArn: SENSORS.principalArn, action: 'iot:CreateThing', resource: `${ARN}:thing/sensor-*` },
  // The device activator's grant in src/jitr/device-activator.ts: the target certificates and the device policy.
  { principalArn: CERT_ONLY.principalArn, action: 'iot:AttachPolicy', resource: `${ARN}:cert/*` },
  { principalArn: POLICY_ONLY.principalArn, action: 'iot:AttachPolicy', resource: `${ARN}:policy/DevicePolicy` },
  { principalArn: ACTIVATOR.principalArn, action: 'iot:AttachPolicy', resource: `${ARN}:cert/*` },
  { principalArn: ACTIVATOR.principalArn, action: 'iot:AttachPolicy', resource: `${ARN}:policy/DevicePolicy` },
];

describe('control plane with access control', () => {
  let model: IotModel;
  let server: ControlPlane;
  let accessControl: TableAccessControl;
  const clients: IoTClient[] = [];

  function clientFor(key: TestKey, secretAccessKey = key.secretAccessKey): IoTClient {
    const credentials = { accessKeyId: key.accessKeyId, secretAccessKey };
    const client = new IoTClient({ endpoint: server.url, region: REGION, maxAttempts: 1, credentials });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    model = new IotModel({ accountId: ACCOUNT, region: REGION, rateLimits: false });
    accessControl = new TableAccessControl(ACCOUNT, [ADMIN, SENSORS, CERT_ONLY, POLICY_ONLY, ACTIVATOR], GRANTS);
    server = await startControlPlane({ model, accessControl });
  });
  afterAll(async () => {
    clients.forEach(client => client.destroy());
    await server.close();
  });

  test('a signed call the principal is allowed succeeds, authorized as iot:<Operation> on the thing ARN', async () => {
    const admin = clientFor(ADMIN);
    await admin.send(new CreateThingCommand({ thingName: 'gateway-1' }));
    const thing = await admin.send(new DescribeThingCommand({ thingName: 'gateway-1' }));
    expect(thing.thingArn).toBe(`${ARN}:thing/gateway-1`);
    expect(accessControl.asked.slice(-2).map(r => [r.principal.arn, r.action, r.resource])).toEqual([
      [ADMIN.principalArn, 'iot:CreateThing', `${ARN}:thing/gateway-1`],
      [ADMIN.principalArn, 'iot:DescribeThing', `${ARN}:thing/gateway-1`],
    ]);
  });

  test('a request signed with the wrong secret is refused (403) with a typed error, and changes nothing', async () => {
    const forger = clientFor(ADMIN, 'not-the-secret');
    const error = await forger.send(new CreateThingCommand({ thingName: 'forged-1' })).catch(e => e);
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe('The request signature we calculated does not match the signature you provided.');
    expect(model.thing('forged-1')).toBeUndefined();
  });

  test('an unknown access key is refused as AWS refuses it', async () => {
    const stranger = clientFor({ accessKeyId: 'AKIANOBODY', secretAccessKey: 'x', principalArn: '' });
    const error = await stranger.send(new ListThingsCommand({})).catch(e => e);
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  test('an unsigned request is refused before routing, even on an unknown path', async () => {
    for (const path of ['/things', '/no-such-operation']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    }
  });

  test('CreateThing allowed on thing/sensor-* creates sensor-1 but not other-1 (AccessDeniedException, nothing created)', async () => {
    const sensors = clientFor(SENSORS);
    await sensors.send(new CreateThingCommand({ thingName: 'sensor-1' }));
    expect(model.thing('sensor-1')?.thingArn).toBe(`${ARN}:thing/sensor-1`);

    const error = await sensors.send(new CreateThingCommand({ thingName: 'other-1' })).catch(e => e);
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User: ${SENSORS.principalArn} is not authorized to perform: iot:CreateThing on resource: ${ARN}:thing/other-1 `
      + 'because no identity-based policy allows the iot:CreateThing action',
    );
    expect(model.thing('other-1')).toBeUndefined();
  });

  describe('AttachPolicy is authorized on the target certificate and on the policy', () => {
    let certificateArn: string;
    beforeAll(async () => {
      const admin = clientFor(ADMIN);
      certificateArn = (await admin.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))).certificateArn as string;
      await admin.send(new CreatePolicyCommand({ policyName: 'DevicePolicy', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] }) }));
    });

    async function attachedPolicies(): Promise<string[]> {
      // The target label is an ARN, percent-encoded in the path: its signature must verify too.
      const { policies } = await clientFor(ADMIN).send(new ListAttachedPoliciesCommand({ target: certificateArn }));
      return (policies ?? []).map(p => p.policyName as string);
    }

    test.each([
      ['a grant on cert/* only', CERT_ONLY, () => `${ARN}:policy/DevicePolicy`],
      ['a grant on the policy only', POLICY_ONLY, () => certificateArn],
    ])('%s is not enough', async (_case, key, deniedResource) => {
      const error = await clientFor(key).send(new AttachPolicyCommand({ policyName: 'DevicePolicy', target: certificateArn })).catch(e => e);
      expect(error.name).toBe('AccessDeniedException');
      expect(error.message).toContain(`iot:AttachPolicy on resource: ${deniedResource()} because`);
      expect(await attachedPolicies()).toEqual([]);
    });

    test('grants on both attach the policy', async () => {
      await clientFor(ACTIVATOR).send(new AttachPolicyCommand({ policyName: 'DevicePolicy', target: certificateArn }));
      expect(await attachedPolicies()).toEqual(['DevicePolicy']);
    });
  });
});

describe('control plane without access control', () => {
  test('accepts any credentials and unsigned requests, as before', async () => {
    const model = new IotModel({ rateLimits: false });
    const server = await startControlPlane({ model });
    const client = new IoTClient({ endpoint: server.url, region: model.region, credentials: { accessKeyId: 'anything', secretAccessKey: 'anything' } });
    try {
      await client.send(new CreateThingCommand({ thingName: 'other-1' }));
      expect(model.thing('other-1')).toBeDefined();
      const response = await fetch(`${server.url}/things`);
      expect(response.status).toBe(200);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
