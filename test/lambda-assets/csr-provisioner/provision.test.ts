import { DescribeThingCommand, RegisterThingCommand, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { base64, CsrFactory, CsrKey, ENDPOINT, iotCommands, iotWrites, PROVISIONER_ENV, useProvisionerHarness } from './support';
import { AMAZON_ROOT_CA_PEMS } from '../../../lambda-assets/shared/iot/amazon-root-cas';
import { certificateIdOf, inspectCertificate } from '../../../lambda-assets/shared/pki';

const csrs = new CsrFactory();
const harness = useProvisionerHarness();
const { iot } = harness;

const pems: Record<string, string> = {};
beforeAll(() => {
  for (const key of ['rsa:2048', 'P-256', 'P-384'] as CsrKey[]) pems[key] = csrs.make(key, '/CN=sensor-1/O=Acme');
  pems.other = csrs.make('P-256');
  pems.third = csrs.make('P-256');
}, 60_000);
afterAll(() => csrs.dispose());

const sentTemplates = () => iot.commandCalls(RegisterThingCommand).map((call) => ({
  template: JSON.parse(call.args[0].input.templateBody!),
  parameters: call.args[0].input.parameters!,
}));

describe('provisioning a new device', () => {
  test.each(['rsa:2048', 'P-256', 'P-384'])('a %s CSR gets a thing and an ACTIVE certificate for its key', async (key) => {
    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems[key]) });

    expect(response.statusCode).toBe(200);
    const body = response.body as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['ThingName', 'certificateId', 'certificatePem', 'endpointAddress', 'rootCaPems']);
    expect(body).toEqual({
      ThingName: 'sensor-1',
      certificateId: certificateIdOf(body.certificatePem),
      certificatePem: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/),
      endpointAddress: ENDPOINT,
      rootCaPems: { AmazonRootCA1: AMAZON_ROOT_CA_PEMS.AmazonRootCA1, AmazonRootCA3: AMAZON_ROOT_CA_PEMS.AmazonRootCA3 },
    });
    expect(harness.registry.certificates.get(body.certificateId)?.status).toBe('ACTIVE');
    expect(harness.registry.attachedPolicies.get(body.certificateId)).toEqual([PROVISIONER_ENV.DEVICE_POLICY_NAME]);
    expect(iotWrites(iot)).toEqual(['RegisterThing']);
  });

  test('the CSR may be sent as PEM, as base64 of the PEM or as base64 of its DER: the same template parameter each time', async () => {
    const der = pems['P-256'].replace(/-----[^-]+-----|\s/g, '');
    for (const [name, CSR] of [['pem-1', pems['P-256']], ['b64-1', base64(pems['P-256'])], ['der-1', der]]) {
      expect((await harness.post({ ThingName: name, CSR })).statusCode).toBe(200);
    }
    const csrParameters = sentTemplates().map((sent) => sent.parameters.CSR);
    expect(new Set(csrParameters).size).toBe(1);
    expect(csrParameters[0]).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE REQUEST-----\n$/);
  });

  test('the template: parameters ThingName, CSR and ThingTypeName; thing with type, groups and attributes; certificate from the CSR; the shared policy', async () => {
    const response = await harness.post({
      ThingName: 'sensor-2',
      CSR: base64(pems['P-384']),
      ThingTypeName: 'Sensor',
      ThingGroups: ['Factory-7', 'Line-3'],
      AttributePayload: { attributes: { serial: 'SN-0042', line: '3' } },
    });

    expect(response.statusCode).toBe(200);
    const [{ template, parameters }] = sentTemplates();
    expect(parameters).toEqual({ ThingName: 'sensor-2', CSR: expect.stringContaining('BEGIN CERTIFICATE REQUEST'), ThingTypeName: 'Sensor' });
    expect(template).toEqual({
      Parameters: { ThingName: { Type: 'String' }, CSR: { Type: 'String' }, ThingTypeName: { Type: 'String' } },
      Resources: {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: {
            ThingName: { Ref: 'ThingName' },
            ThingTypeName: { Ref: 'ThingTypeName' },
            AttributePayload: { serial: 'SN-0042', line: '3' },
            ThingGroups: ['Factory-7', 'Line-3'],
          },
          OverrideSettings: { AttributePayload: 'MERGE', ThingTypeName: 'REPLACE', ThingGroups: 'MERGE' },
        },
        certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateSigningRequest: { Ref: 'CSR' }, Status: 'ACTIVE' } },
        policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: PROVISIONER_ENV.DEVICE_POLICY_NAME } },
      },
    });
    expect(harness.registry.things.get('sensor-2')).toMatchObject({ thingTypeName: 'Sensor', groups: ['Factory-7', 'Line-3'] });
  });

  test('the template is built fresh for each call: a second request carries nothing of the first', async () => {
    await harness.post({
      ThingName: 'first', CSR: base64(pems['P-256']), ThingTypeName: 'Sensor', ThingGroups: ['Factory-7'], AttributePayload: { attributes: { a: '1' } },
    });
    await harness.post({ ThingName: 'second', CSR: base64(pems.other) });

    const [first, second] = sentTemplates();
    expect(first.template).not.toEqual(second.template);
    expect(second.parameters).toEqual({ ThingName: 'second', CSR: expect.any(String) });
    expect(second.template.Parameters).toEqual({ ThingName: { Type: 'String' }, CSR: { Type: 'String' } });
    expect(second.template.Resources.thing.Properties).toEqual({ ThingName: { Ref: 'ThingName' } });
    expect(Object.keys(second.template.Resources)).toEqual(['thing', 'certificate', 'policy']);
  });

  test('an unexpected RegisterThing failure is a 500 without detail', async () => {
    iot.on(RegisterThingCommand).rejects(Object.assign(new Error('boom at line 3'), { name: 'InternalFailureException' }));
    const response = await harness.post({ ThingName: 'sensor-9', CSR: base64(pems['P-256']) });
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({ error: { code: 'InternalError', message: expect.any(String) } });
    expect(response.raw).not.toContain('boom');
  });
});

describe('a thing that already has an ACTIVE certificate', () => {
  test('without rotate: 409 ThingAlreadyProvisioned with the existing certificate id, and nothing created', async () => {
    const existing = await harness.registry.addThingWithCertificate('sensor-1', pems.other);

    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']) });

    expect(response.statusCode).toBe(409);
    expect(response.body).toEqual({ error: { code: 'ThingAlreadyProvisioned', message: expect.stringMatching(/^ThingName: .*rotate/) }, existingCertificateId: existing });
    expect(iotWrites(iot)).toEqual([]);
    expect([...harness.registry.certificates.keys()]).toEqual([existing]);
  });

  test('certificates that are not ACTIVE do not block: the thing gets a new certificate', async () => {
    const old = await harness.registry.addThingWithCertificate('sensor-1', pems.other, 'INACTIVE');
    await harness.registry.addThingWithCertificate('sensor-1', pems.third, 'REVOKED');

    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']) });

    expect(response.statusCode).toBe(200);
    expect(response.body.rotatedCertificateIds).toBeUndefined();
    expect(harness.registry.certificates.get(old)?.status).toBe('INACTIVE');
    expect(iotWrites(iot)).toEqual(['RegisterThing']);
  });

  test('the same CSR again (a lost answer, a retry) gets the same certificate and creates nothing', async () => {
    const first = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']) });
    iot.resetHistory();

    const again = await harness.post({ ThingName: 'sensor-1', CSR: pems['P-256'] });

    expect(again.statusCode).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(iotWrites(iot)).toEqual([]);
    expect(harness.registry.certificates.size).toBe(1);
  });

  test('with rotate: RegisterThing first, then the old certificates set INACTIVE; rotatedCertificateIds answered', async () => {
    const old1 = await harness.registry.addThingWithCertificate('sensor-1', pems.other);
    const old2 = await harness.registry.addThingWithCertificate('sensor-1', pems.third);

    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']), rotate: true });

    expect(response.statusCode).toBe(200);
    const body = response.body as { certificateId: string; certificatePem: string; rotatedCertificateIds: string[] };
    expect(body.rotatedCertificateIds).toEqual([old1, old2]);
    expect(iotWrites(iot)).toEqual(['RegisterThing', 'UpdateCertificate', 'UpdateCertificate']);
    const commands = iotCommands(iot);
    expect(commands.lastIndexOf('DescribeEndpoint')).toBeLessThan(commands.indexOf('RegisterThing'));
    expect(iot.commandCalls(UpdateCertificateCommand).map((call) => call.args[0].input)).toEqual([
      { certificateId: old1, newStatus: 'INACTIVE' },
      { certificateId: old2, newStatus: 'INACTIVE' },
    ]);
    expect(harness.registry.certificates.get(body.certificateId)?.status).toBe('ACTIVE');
    expect(harness.registry.certificates.get(old1)?.status).toBe('INACTIVE');
    expect(harness.registry.things.get('sensor-1')?.principals).toHaveLength(3);
    expect(inspectCertificate(body.certificatePem).certificateId).toBe(body.certificateId);
  });

  test('rotate on a new thing provisions it and rotates nothing', async () => {
    const response = await harness.post({ ThingName: 'fresh', CSR: base64(pems['P-256']), rotate: true });
    expect(response.statusCode).toBe(200);
    expect(response.body.rotatedCertificateIds).toEqual([]);
    expect(iotWrites(iot)).toEqual(['RegisterThing']);
  });

  test('a failed RegisterThing leaves the old certificates ACTIVE', async () => {
    const old = await harness.registry.addThingWithCertificate('sensor-1', pems.other);
    harness.registry.policies.clear();

    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']), rotate: true });

    expect(response.statusCode).toBe(502);
    expect(response.body).toEqual({ error: { code: 'RegistrationFailed', message: expect.stringMatching(/^body: .*Policy/) } });
    expect(iotWrites(iot)).toEqual(['RegisterThing']);
    expect(harness.registry.certificates.get(old)?.status).toBe('ACTIVE');
  });

  test('an old certificate that cannot be deactivated: 500 that still hands out the new certificate; the same request again finishes', async () => {
    const old1 = await harness.registry.addThingWithCertificate('sensor-1', pems.other);
    const old2 = await harness.registry.addThingWithCertificate('sensor-1', pems.third);
    harness.registry.failingUpdates.add(old2);

    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']), rotate: true });

    expect(response.statusCode).toBe(500);
    const body = response.body as Record<string, unknown> & { certificateId: string };
    expect(body).toEqual({
      error: { code: 'RotationIncomplete', message: expect.stringMatching(/^rotate: the new certificate .* still ACTIVE .*same request again/) },
      ThingName: 'sensor-1',
      certificateId: expect.stringMatching(/^[0-9a-f]{64}$/),
      certificatePem: expect.stringContaining('BEGIN CERTIFICATE'),
      endpointAddress: ENDPOINT,
      rootCaPems: AMAZON_ROOT_CA_PEMS,
      rotatedCertificateIds: [old1],
      stillActiveCertificateIds: [old2],
    });
    expect(harness.registry.certificates.get(body.certificateId)?.status).toBe('ACTIVE');
    const logged = harness.logs.lines().find((line) => line.message === 'old certificate not deactivated');
    expect(logged).toMatchObject({ level: 'ERROR', certificateId: old2 });
    expect(harness.logs.raw()).not.toContain('PRIVATE KEY');

    harness.registry.failingUpdates.clear();
    iot.resetHistory();
    const retry = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']), rotate: true });

    expect(retry.statusCode).toBe(200);
    expect(retry.body).toMatchObject({ certificateId: body.certificateId, rotatedCertificateIds: [old2] });
    expect(iotWrites(iot)).toEqual(['UpdateCertificate']);
    expect(harness.registry.certificates.get(old2)?.status).toBe('INACTIVE');
  });
});

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true }, $metadata: {} });

describe('AWS answers', () => {
  test('throttling that outlasts the client retries (shared/iot/iot-client.ts): 429, nothing created', async () => {
    iot.on(DescribeThingCommand).rejects(throttled());

    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']) });

    expect(response.statusCode).toBe(429);
    expect(iotWrites(iot)).toEqual([]);
  });

  test('an InvalidRequestException from RegisterThing is a 400 naming the body', async () => {
    iot.on(RegisterThingCommand).rejects(Object.assign(new Error('The CSR is invalid'), { name: 'InvalidRequestException' }));
    const response = await harness.post({ ThingName: 'sensor-1', CSR: base64(pems['P-256']) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({ error: { code: 'RegistrationRefused', message: 'body: AWS IoT refused to provision the device: The CSR is invalid' } });
  });
});
