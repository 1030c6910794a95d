/**
 * JITP through the stack runner: a hand-written cloud assembly with JITP CAs (AWS::IoT::CACertificate
 * with a RegistrationConfig) whose provisioning roles (AWS::IAM::Role) differ. Devices connect over
 * mutual TLS; the runner's IAM decides whether AWS IoT may act as each role, and a refusal is logged
 * by the gateway as a template failure is, with the certificate left PENDING_ACTIVATION.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateIdOf, createCaCertificate, issueDeviceCertificateWithNewKey, type GeneratedCa } from '../../../../lambda-assets/shared/pki';
import { startStackRunner, type RunningStacks } from '../../../../local/runner/stack-runner';
import { RUNNER_ACCOUNT, RUNNER_REGION, role, THINGS_REGISTRATION_POLICY, trustFor, writeCloudAssembly } from '../../support/hand-written-assembly';
import { connectOnce } from '../../support/raw-mqtt';

const STACK = 'JitpRoles';
const ARN = `arn:aws:iot:${RUNNER_REGION}:${RUNNER_ACCOUNT}`;

const TEMPLATE = JSON.stringify({
  Parameters: { 'AWS::IoT::Certificate::CommonName': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' } } },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
    policy: {
      Type: 'AWS::IoT::Policy',
      Properties: {
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/\${iot:Connection.Thing.ThingName}` }],
        }),
      },
    },
  },
});

/** What the template needs on `sensor-*` things; `thingActions` narrows it further. */
function narrowStatements(things = 'sensor-*', thingActions = ['iot:CreateThing', 'iot:DescribeThing', 'iot:AttachThingPrincipal']): unknown[] {
  return [
    { Effect: 'Allow', Action: thingActions, Resource: `${ARN}:thing/${things}` },
    { Effect: 'Allow', Action: ['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:AttachPolicy'], Resource: `${ARN}:cert/*` },
    { Effect: 'Allow', Action: ['iot:CreatePolicy', 'iot:AttachPolicy'], Resource: `${ARN}:policy/*` },
  ];
}

const IOT_TRUST = trustFor('iot.amazonaws.com', { StringEquals: { 'aws:SourceAccount': RUNNER_ACCOUNT } });

/** Role logical id -> the role. */
const ROLES: Record<string, Record<string, unknown>> = {
  NoTrustRole: role(trustFor('lambda.amazonaws.com'), [], [THINGS_REGISTRATION_POLICY]),
  NoAttachRole: role(IOT_TRUST, narrowStatements('*', ['iot:CreateThing', 'iot:DescribeThing'])),
  OtherThingsRole: role(IOT_TRUST, narrowStatements('actuator-*')),
  NarrowRole: role(IOT_TRUST, narrowStatements()),
  ManagedRole: role(trustFor('iot.amazonaws.com'), [], [THINGS_REGISTRATION_POLICY]),
};

let runner: RunningStacks;
const log: Record<string, unknown>[] = [];
const cas = new Map<string, GeneratedCa>();
const scratch: string[] = [];

beforeAll(async () => {
  const resources: Record<string, unknown> = { ...ROLES };
  for (const roleId of Object.keys(ROLES)) {
    const ca = await createCaCertificate({ subject: { commonName: `JITP ${roleId} CA` }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    cas.set(roleId, ca);
    resources[`${roleId}Ca`] = {
      Type: 'AWS::IoT::CACertificate',
      Properties: {
        CACertificatePem: ca.certificatePem,
        CertificateMode: 'SNI_ONLY',
        Status: 'ACTIVE',
        AutoRegistrationStatus: 'ENABLE',
        RegistrationConfig: { TemplateBody: TEMPLATE, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } },
      },
    };
  }
  const assembly = writeCloudAssembly(STACK, resources);
  const state = mkdtempSync(join(tmpdir(), 'runner-jitp-roles-'));
  scratch.push(assembly, state);
  runner = await startStackRunner({ cloudAssemblies: [assembly], stateDirectory: state, rateLimits: false, log: (line) => log.push(line) });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  for (const directory of scratch) rmSync(directory, { recursive: true, force: true });
});

let devices = 0;

/** A device of the CA of `roleId` connects once (refused: JITP closes the first connect); answers it and the gateway's JITP log line. */
async function firstConnect(roleId: string) {
  const ca = cas.get(roleId)!;
  const thingName = `sensor-${++devices}`;
  const device = await issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: thingName }, validityDays: 30 });
  const connect = () => connectOnce({
    port: runner.cloud.mqtt.port,
    clientId: thingName,
    cert: device.certificatePem + ca.certificatePem,
    key: device.privateKeyPem,
    ca: readFileSync(runner.cloud.serverIdentity.caCertificatePath),
  });
  await expect(connect()).rejects.toThrow();
  const jitp = log.filter((line) => line.event === 'jitp' && line.certificateId === device.certificateId);
  expect(jitp).toHaveLength(1);
  expect(jitp[0].caCertificateId).toBe(certificateIdOf(ca.certificatePem));
  return { thingName, device, connect, jitp: jitp[0] };
}

function roleArnOf(roleId: string): string {
  return runner.resource(STACK, roleId).attributes.Arn;
}

function expectNothingProvisioned(certificateId: string, thingName: string): void {
  const certificate = runner.cloud.model.certificate(certificateId)!;
  expect(certificate.status).toBe('PENDING_ACTIVATION');
  expect(runner.cloud.model.thing(thingName)).toBeUndefined();
  expect(runner.cloud.model.policyDocumentsOfPrincipal(certificate.certificateArn)).toEqual([]);
}

test('a role that does not trust iot.amazonaws.com: the gateway logs AWS\'s sts:AssumeRole denial, nothing is provisioned', async () => {
  const { jitp, device, thingName } = await firstConnect('NoTrustRole');
  expect(jitp).toMatchObject({
    provisioned: false,
    reason: `User: iot.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${roleArnOf('NoTrustRole')} `
      + 'because no resource-based policy allows the sts:AssumeRole action',
  });
  expectNothingProvisioned(device.certificateId, thingName);
});

test('a role missing iot:AttachThingPrincipal: refused on that call, and every retry is refused again', async () => {
  const { jitp, device, thingName, connect } = await firstConnect('NoAttachRole');
  expect(jitp).toMatchObject({
    provisioned: false,
    reason: `User: ${roleArnOf('NoAttachRole')} is not authorized to perform: iot:AttachThingPrincipal on resource: ${ARN}:thing/${thingName} `
      + 'because no identity-based policy allows the iot:AttachThingPrincipal action',
  });
  await expect(connect()).rejects.toThrow();
  expectNothingProvisioned(device.certificateId, thingName);
});

test('a role scoped to other things: refused on iot:CreateThing', async () => {
  const { jitp, device, thingName } = await firstConnect('OtherThingsRole');
  expect(jitp.reason).toBe(`User: ${roleArnOf('OtherThingsRole')} is not authorized to perform: iot:CreateThing on resource: ${ARN}:thing/${thingName} `
    + 'because no identity-based policy allows the iot:CreateThing action');
  expectNothingProvisioned(device.certificateId, thingName);
});

test.each(['NarrowRole', 'ManagedRole'])('%s: the first connect provisions the device, the retry connects', async (roleId) => {
  const { jitp, device, thingName, connect } = await firstConnect(roleId);
  expect(jitp).toMatchObject({ provisioned: true });
  const certificate = runner.cloud.model.certificate(device.certificateId)!;
  expect(certificate.status).toBe('ACTIVE');
  expect(runner.cloud.model.thingsOfPrincipal(certificate.certificateArn)).toEqual([thingName]);
  expect(runner.cloud.model.policyDocumentsOfPrincipal(certificate.certificateArn)).toHaveLength(1);
  const client = await connect();
  await client.endAsync();
});
