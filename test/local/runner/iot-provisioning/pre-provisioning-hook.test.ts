/**
 * Fleet provisioning's pre-provisioning hooks through the stack runner: a hand-written cloud assembly
 * with FLEET_PROVISIONING templates whose PreProvisioningHook is a function of the stack (inline
 * code). AWS IoT invokes it as iot.amazonaws.com, so its AWS::Lambda::Permission decides, with its
 * SourceArn and SourceAccount; the function gets the 2020-04-01 payload and its answer gates
 * RegisterThing. A device with a claim certificate drives it over MQTT (mutual TLS, mqtt.js).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as mqtt from 'mqtt';
import { startStackRunner, type RunningStacks } from '../../../../local/runner/stack-runner';
import { RUNNER_ACCOUNT, RUNNER_REGION, role, THINGS_REGISTRATION_POLICY, trustFor, writeCloudAssembly } from '../../support/hand-written-assembly';
import { connectOnce } from '../../support/raw-mqtt';

const STACK = 'FleetHooks';
const ARN = `arn:aws:iot:${RUNNER_REGION}:${RUNNER_ACCOUNT}`;

/** Logs the event it got (one JSON line), allows serials starting with `ok-`, and overrides a parameter. */
const HOOK_CODE = `
exports.handler = async (event) => {
  console.log('HOOK-EVENT ' + JSON.stringify(event));
  const serial = (event.parameters && event.parameters.SerialNumber) || '';
  return { allowProvisioning: serial.startsWith('ok-'), parameterOverrides: { Region: 'set-by-hook' } };
};
`;

/** Thing `device-<SerialNumber>`, the device certificate ACTIVE, the stack's device policy; the hook's override comes back in the configuration. */
const TEMPLATE_BODY = JSON.stringify({
  Parameters: {
    'SerialNumber': { Type: 'String' },
    'Region': { Type: 'String', Default: 'unset' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::Join': ['', ['device-', { Ref: 'SerialNumber' }]] } } },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'HookedFleetDevice' } },
  },
  DeviceConfiguration: { Region: { Ref: 'Region' } },
});

function hookFunction(code = HOOK_CODE): Record<string, unknown> {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: { Code: { ZipFile: code }, Handler: 'index.handler', Runtime: 'nodejs20.x', Role: { 'Fn::GetAtt': ['HookRole', 'Arn'] } },
  };
}

function permission(functionId: string, sourceTemplateId: string): Record<string, unknown> {
  return {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'iot.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [sourceTemplateId, 'TemplateArn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    },
  };
}

function template(name: string, roleId: string, hookId?: string): Record<string, unknown> {
  return {
    Type: 'AWS::IoT::ProvisioningTemplate',
    Properties: {
      TemplateName: name,
      TemplateType: 'FLEET_PROVISIONING',
      Enabled: true,
      TemplateBody: TEMPLATE_BODY,
      ProvisioningRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      ...(hookId ? { PreProvisioningHook: { TargetArn: { 'Fn::GetAtt': [hookId, 'Arn'] }, PayloadVersion: '2020-04-01' } } : {}),
    },
  };
}

const RESOURCES = {
  ProvisioningRole: role(trustFor('iot.amazonaws.com'), [], [THINGS_REGISTRATION_POLICY]),
  // Trusted by IoT, but allowed nothing.
  PowerlessRole: role(trustFor('iot.amazonaws.com')),
  HookRole: role(trustFor('lambda.amazonaws.com'), [], ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']),
  DevicePolicy: {
    Type: 'AWS::IoT::Policy',
    Properties: {
      PolicyName: 'HookedFleetDevice',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/\${iot:Connection.Thing.ThingName}` }] },
    },
  },
  // Hooked: its hook lets IoT invoke it for this template (SourceArn) in this account (SourceAccount).
  Hook: hookFunction(),
  HookPermission: permission('Hook', 'Hooked'),
  Hooked: template('Hooked', 'ProvisioningRole', 'Hook'),
  // Its hook has no permission at all.
  UnpermittedHook: hookFunction(),
  Unpermitted: template('Unpermitted', 'ProvisioningRole', 'UnpermittedHook'),
  // Its hook lets IoT invoke it for another template only.
  OtherSourceHook: hookFunction(),
  OtherSourcePermission: permission('OtherSourceHook', 'Hooked'),
  OtherSource: template('OtherSource', 'ProvisioningRole', 'OtherSourceHook'),
  // A permitted hook that throws.
  FailingHook: hookFunction('exports.handler = async () => { throw new Error("the serial registry is down"); };'),
  FailingPermission: permission('FailingHook', 'Failing'),
  Failing: template('Failing', 'ProvisioningRole', 'FailingHook'),
  // A hook that allows, but a provisioning role that may do nothing.
  Powerless: template('Powerless', 'PowerlessRole', 'Hook'),
  PowerlessPermission: permission('Hook', 'Powerless'),
};
const TEMPLATES = ['Hooked', 'Unpermitted', 'OtherSource', 'Failing', 'Powerless'];

let runner: RunningStacks;
const functionLines: { functionName: string; line: string }[] = [];
const scratch: string[] = [];
let claim: { certificatePem: string; privateKeyPem: string; certificateId: string };

beforeAll(async () => {
  const assembly = writeCloudAssembly(STACK, RESOURCES);
  const state = mkdtempSync(join(tmpdir(), 'runner-fleet-hooks-'));
  scratch.push(assembly, state);
  runner = await startStackRunner({
    cloudAssemblies: [assembly],
    stateDirectory: state,
    rateLimits: false,
    onFunctionLog: (functionName, line) => functionLines.push({ functionName, line }),
  });
  // A claim certificate with the claim policy of AWS's guide, for every template.
  const model = runner.cloud.model;
  const created = await model.createKeysAndCertificate({ setAsActive: true });
  const topics = ['$aws/certificates/create/*', ...TEMPLATES.map((name) => `$aws/provisioning-templates/${name}/provision/*`)];
  await model.createPolicy({
    policyName: 'claim',
    policyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/*` },
        { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: topics.map((topic) => `${ARN}:topic/${topic}`) },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topics.map((topic) => `${ARN}:topicfilter/${topic}`) },
      ],
    }),
  });
  await model.attachPolicy({ policyName: 'claim', target: created.certificateArn });
  claim = { certificatePem: created.certificatePem!, privateKeyPem: created.keyPair!.PrivateKey!, certificateId: created.certificateId! };
}, 60_000);

afterAll(async () => {
  await runner?.close();
  for (const directory of scratch) rmSync(directory, { recursive: true, force: true });
});

type Answer = { readonly outcome: 'accepted' | 'rejected'; readonly payload: Record<string, any> };

/** Subscribes to the request topic's `/accepted` and `/rejected`, publishes the request, and answers the first reply. */
async function request(client: mqtt.MqttClient, topic: string, payload: unknown): Promise<Answer> {
  await client.subscribeAsync([`${topic}/accepted`, `${topic}/rejected`], { qos: 1 });
  const answer = new Promise<Answer>((resolve) => {
    const onMessage = (received: string, body: Buffer) => {
      if (received !== `${topic}/accepted` && received !== `${topic}/rejected`) return;
      client.off('message', onMessage);
      resolve({ outcome: received.endsWith('/accepted') ? 'accepted' : 'rejected', payload: JSON.parse(body.toString()) });
    };
    client.on('message', onMessage);
  });
  await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  return answer;
}

/** A claim device's run: CreateKeysAndCertificate, then RegisterThing with `templateName` for `serial`. */
async function provision(templateName: string, serial: string, clientId = `claim-${serial}`) {
  const client = await connectOnce({
    port: runner.cloud.mqtt.port,
    clientId,
    cert: claim.certificatePem,
    key: claim.privateKeyPem,
    ca: readFileSync(runner.cloud.serverIdentity.caCertificatePath),
  });
  try {
    const created = await request(client, '$aws/certificates/create/json', {});
    expect(created.outcome).toBe('accepted');
    const registered = await request(client, `$aws/provisioning-templates/${templateName}/provision/json`, {
      certificateOwnershipToken: created.payload.certificateOwnershipToken,
      parameters: { SerialNumber: serial },
    });
    return { certificateId: created.payload.certificateId as string, certificatePem: created.payload.certificatePem as string, registered };
  } finally {
    await client.endAsync();
  }
}

function hookEvents(functionId: string): Record<string, any>[] {
  const functionName = runner.resource(STACK, functionId).physicalId;
  return functionLines
    .filter((entry) => entry.functionName === functionName && entry.line.includes('HOOK-EVENT '))
    .map((entry) => JSON.parse(entry.line.slice(entry.line.indexOf('HOOK-EVENT ') + 'HOOK-EVENT '.length)));
}

function expectNotProvisioned(certificateId: string, thingName: string): void {
  expect(runner.cloud.model.certificate(certificateId)?.status).toBe('PENDING_ACTIVATION');
  expect(runner.cloud.model.thing(thingName)).toBeUndefined();
}

test('a permitted hook gets AWS\'s payload; its allow provisions the device with its parameter overrides', async () => {
  const { registered, certificateId, certificatePem } = await provision('Hooked', 'ok-1', 'claim-client-ok-1');
  expect(registered).toEqual({ outcome: 'accepted', payload: { thingName: 'device-ok-1', deviceConfiguration: { Region: 'set-by-hook' } } });
  expect(runner.cloud.model.certificate(certificateId)?.status).toBe('ACTIVE');
  expect(runner.cloud.model.thingsOfPrincipal(runner.cloud.model.certificate(certificateId)!.certificateArn)).toEqual(['device-ok-1']);
  expect(hookEvents('Hook')).toEqual([{
    claimCertificateId: claim.certificateId,
    certificateId,
    certificatePem,
    templateArn: `${ARN}:provisioningtemplate/Hooked`,
    clientId: 'claim-client-ok-1',
    parameters: { SerialNumber: 'ok-1' },
  }]);
});

test('a permitted hook that does not allow: 403 AccessDenied, nothing provisioned', async () => {
  const { registered, certificateId } = await provision('Hooked', 'bad-1');
  expect(registered).toEqual({
    outcome: 'rejected',
    payload: { statusCode: 403, errorCode: 'AccessDenied', errorMessage: 'The pre-provisioning hook did not allow provisioning' },
  });
  expectNotProvisioned(certificateId, 'device-bad-1');
});

test('a hook without an AWS::Lambda::Permission for iot.amazonaws.com is not invoked: 403 AccessDenied naming the function', async () => {
  const functionArn = runner.resource(STACK, 'UnpermittedHook').attributes.Arn;
  const { registered, certificateId } = await provision('Unpermitted', 'ok-2');
  expect(registered).toEqual({
    outcome: 'rejected',
    payload: {
      statusCode: 403,
      errorCode: 'AccessDenied',
      errorMessage: 'The pre-provisioning hook failed: AccessDeniedException: User: iot.amazonaws.com is not authorized to perform: '
        + `lambda:InvokeFunction on resource: ${functionArn} because no resource-based policy allows the lambda:InvokeFunction action`,
    },
  });
  expect(hookEvents('UnpermittedHook')).toEqual([]);
  expectNotProvisioned(certificateId, 'device-ok-2');
});

test('a permission whose SourceArn names another template does not let this template invoke the hook', async () => {
  const { registered, certificateId } = await provision('OtherSource', 'ok-3');
  expect(registered.outcome).toBe('rejected');
  expect(registered.payload).toMatchObject({ statusCode: 403, errorCode: 'AccessDenied' });
  expect(registered.payload.errorMessage).toContain('is not authorized to perform: lambda:InvokeFunction');
  expect(hookEvents('OtherSourceHook')).toEqual([]);
  expectNotProvisioned(certificateId, 'device-ok-3');
});

test('a permitted hook that fails: 403 AccessDenied with the function\'s error', async () => {
  const { registered, certificateId } = await provision('Failing', 'ok-5');
  expect(registered).toEqual({
    outcome: 'rejected',
    payload: {
      statusCode: 403,
      errorCode: 'AccessDenied',
      errorMessage: 'The pre-provisioning hook failed: the function failed (Error: the serial registry is down)',
    },
  });
  expectNotProvisioned(certificateId, 'device-ok-5');
});

test('the hook allows, but the template\'s provisioning role may do nothing: 403 AccessDenied naming the role', async () => {
  const { registered, certificateId } = await provision('Powerless', 'ok-4');
  expect(registered).toEqual({
    outcome: 'rejected',
    payload: {
      statusCode: 403,
      errorCode: 'AccessDenied',
      errorMessage: `User: ${runner.resource(STACK, 'PowerlessRole').attributes.Arn} is not authorized to perform: iot:DescribeCertificate `
        + `on resource: ${ARN}:cert/${certificateId} because no identity-based policy allows the iot:DescribeCertificate action`,
    },
  });
  expect(hookEvents('Hook').map((event) => event.parameters.SerialNumber)).toContain('ok-4');
  expectNotProvisioned(certificateId, 'device-ok-4');
});
