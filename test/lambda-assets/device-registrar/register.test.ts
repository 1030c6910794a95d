import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DescribeThingCommand,
} from '@aws-sdk/client-iot';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { certificateArn, ENDPOINT, hashOf, THING_TYPES, useRegistrarHarness, writesOf } from './support';
import { AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_3 } from '../../../lambda-assets/shared/iot/amazon-root-cas';

const harness = useRegistrarHarness();
const body = (extra: Record<string, unknown> = {}) => ({ thingName: 'sensor-1', version: '1.4.2', ...extra });
const iotOrder = () => writesOf(harness.iot);

describe('POST /register', () => {
  test('registers a new device: thing, ACTIVE certificate, the type\'s policy, attachment; answers everything the device needs', async () => {
    const response = await harness.post(body({ attributes: { line: '7', site: 'lyon' } }), { thingTypes: ['sensor'] });

    expect(response.statusCode).toBe(200);
    const certificateId = response.body.certificateId as string;
    expect(response.body).toEqual({
      thingName: 'sensor-1',
      thingType: 'sensor',
      certificateId: expect.stringMatching(/^[0-9a-f]{64}$/),
      certificatePem: expect.stringContaining('BEGIN CERTIFICATE'),
      privateKey: expect.stringContaining('PRIVATE KEY'),
      endpoint: ENDPOINT,
      rootCa: { preferred: AMAZON_ROOT_CA_1, backup: AMAZON_ROOT_CA_3 },
    });
    expect(AMAZON_ROOT_CA_1).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(AMAZON_ROOT_CA_3).not.toBe(AMAZON_ROOT_CA_1);
    expect(iotOrder()).toEqual(['CreateThing', 'CreateKeysAndCertificate', 'AttachPolicy', 'AttachThingPrincipal']);
    expect(harness.iot.commandCalls(CreateThingCommand)[0].args[0].input).toEqual({
      thingName: 'sensor-1',
      thingTypeName: THING_TYPES.sensor.thingTypeName,
      attributePayload: { attributes: { line: '7', site: 'lyon', version: '1.4.2' } },
    });
    expect(harness.iot.commandCalls(AttachPolicyCommand)[0].args[0].input).toEqual({ policyName: 'SensorPolicy-1A2B', target: certificateArn(certificateId) });
    expect(harness.iot.commandCalls(AttachThingPrincipalCommand)[0].args[0].input).toEqual({ thingName: 'sensor-1', principal: certificateArn(certificateId) });
    expect(harness.cloud.certificates.get(certificateId)).toEqual({ status: 'ACTIVE', policies: ['SensorPolicy-1A2B'] });
    expect(harness.s3.calls().length).toBe(0);
  });

  test('the private key is never logged', async () => {
    const response = await harness.post(body());
    expect(response.statusCode).toBe(200);
    expect(harness.logs.raw()).not.toContain('PRIVATE KEY');
    expect(harness.logs.raw()).not.toContain('SECRET-');
    expect(harness.logs.lines()).toEqual([expect.objectContaining({ message: 'device registered', thingName: 'sensor-1', tokenId: 'line-7' })]);
  });

  test('a named type uses its thing type and policy; a type without an AWS thing type creates a thing with none', async () => {
    const gateway = await harness.post(body({ thingName: 'gw-1', thingType: 'gateway' }));
    const bare = await harness.post(body({ thingName: 'bare-1', thingType: 'bare', attributes: { a: '1', b: '2' } }));

    expect([gateway.statusCode, bare.statusCode]).toEqual([200, 200]);
    expect(harness.cloud.things.get('gw-1')?.thingTypeName).toBe('GatewayStack-Gateway-3C4D');
    expect(harness.iot.commandCalls(CreateThingCommand)[1].args[0].input).toEqual({
      thingName: 'bare-1', attributePayload: { attributes: { a: '1', b: '2', version: '1.4.2' } },
    });
    expect(harness.iot.commandCalls(AttachPolicyCommand).map((call) => call.args[0].input.policyName)).toEqual(['GatewayPolicy-3C4D', 'BarePolicy-5E6F']);
  });

  test('an existing thing -> 409 ThingAlreadyRegistered, nothing created', async () => {
    harness.cloud.addThing('sensor-1', THING_TYPES.sensor.thingTypeName);

    const response = await harness.post(body());

    expect(response.statusCode).toBe(409);
    expect(response.body).toEqual({ error: { code: 'ThingAlreadyRegistered', message: expect.stringMatching(/^thingName: /) } });
    expect(iotOrder()).toEqual([]);
    expect(harness.s3.calls().length).toBe(0);
  });

  test('an existing thing with a one-time token -> 409 and the token is not spent', async () => {
    harness.cloud.addThing('sensor-1', THING_TYPES.sensor.thingTypeName);

    expect((await harness.post(body(), { oneTime: true })).statusCode).toBe(409);
    expect(harness.s3.calls().length).toBe(0);
  });

  describe('re-issue (allowReissue)', () => {
    test('a new certificate; the old ACTIVE ones INACTIVE only after the new one is attached; the thing is kept', async () => {
      const [old, inactive] = harness.cloud.addThing('sensor-1', THING_TYPES.sensor.thingTypeName, ['ACTIVE', 'INACTIVE']);

      const response = await harness.post(body(), { allowReissue: true });

      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ thingName: 'sensor-1', deactivatedCertificateIds: [old] });
      expect(response.body).not.toHaveProperty('stillActiveCertificateIds');
      expect(iotOrder()).toEqual(['CreateKeysAndCertificate', 'AttachPolicy', 'AttachThingPrincipal', 'UpdateThing', 'UpdateCertificate']);
      // The re-issued device's version (and attributes) are recorded on the thing, merged.
      expect(harness.cloud.things.get('sensor-1')?.attributes).toMatchObject({ version: body().version });
      expect(harness.cloud.certificates.get(old)?.status).toBe('INACTIVE');
      expect(harness.cloud.certificates.get(inactive)?.status).toBe('INACTIVE');
      expect(harness.cloud.certificates.get(response.body.certificateId as string)?.status).toBe('ACTIVE');
      expect(harness.cloud.things.get('sensor-1')?.principals).toContain(certificateArn(response.body.certificateId as string));
    });

    test('an old certificate that cannot be deactivated: the device still gets its new credentials, and the answer says which stays ACTIVE', async () => {
      const [old] = harness.cloud.addThing('sensor-1', THING_TYPES.sensor.thingTypeName);
      harness.cloud.fail('UpdateCertificate', Object.assign(new Error('boom'), { name: 'InternalFailureException' }));

      const response = await harness.post(body(), { allowReissue: true });

      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ privateKey: expect.any(String), deactivatedCertificateIds: [], stillActiveCertificateIds: [old] });
      expect(harness.logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'old certificate not deactivated', certificateId: old }));
    });

    test('a re-issue whose attributes cannot be recorded still answers the new credentials, and logs it', async () => {
      harness.cloud.addThing('sensor-1', THING_TYPES.sensor.thingTypeName);
      harness.cloud.fail('UpdateThing', Object.assign(new Error('boom'), { name: 'InternalFailureException' }));

      const response = await harness.post(body(), { allowReissue: true });

      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ privateKey: expect.any(String) });
      expect(harness.logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 're-issued device\'s attributes not recorded' }));
    });

    test('a thing of another type is not taken over by re-issue -> 409 ThingTypeMismatch, nothing written', async () => {
      harness.cloud.addThing('sensor-1', THING_TYPES.gateway.thingTypeName);

      const response = await harness.post(body(), { allowReissue: true, thingTypes: ['sensor'] });

      expect(response.statusCode).toBe(409);
      expect(response.body.error).toEqual({ code: 'ThingTypeMismatch', message: expect.stringMatching(/^thingType: /) });
      expect(iotOrder()).toEqual([]);
    });
  });

  describe('one-time tokens', () => {
    const oneTime = { tokenId: 'rma-42', token: 'tok-once', oneTime: true };

    test('consumed once, before anything is created: the second use -> 401 TokenAlreadyUsed and nothing created', async () => {
      const first = await harness.post(body(), oneTime);
      expect(first.statusCode).toBe(200);
      const put = harness.s3.commandCalls(PutObjectCommand)[0].args[0].input;
      expect(put).toMatchObject({ Bucket: 'registration-ledger-bucket', Key: `used-tokens/${hashOf('tok-once')}`, IfNoneMatch: '*' });
      expect(JSON.parse(String(put.Body))).toMatchObject({ tokenId: 'rma-42', thingName: 'sensor-1' });
      expect(String(put.Body)).not.toContain('tok-once');

      harness.iot.resetHistory();
      const second = await harness.post(body({ thingName: 'sensor-2' }), oneTime);

      expect(second.statusCode).toBe(401);
      expect(second.body).toEqual({ error: { code: 'TokenAlreadyUsed', message: expect.stringMatching(/^Authorization: /) } });
      expect(iotOrder()).toEqual([]);
      expect(harness.cloud.things.has('sensor-2')).toBe(false);
      expect(harness.cloud.ledger.size).toBe(1);
    });

    test('a reusable token writes no ledger marker', async () => {
      await harness.post(body());
      await harness.post(body({ thingName: 'sensor-2' }));
      expect(harness.s3.calls().length).toBe(0);
    });
  });

  describe('a failure mid-way is undone and the token released', () => {
    const oneTime = { tokenId: 'rma-42', token: 'tok-once', oneTime: true };

    test('AttachThingPrincipal fails: policy detached, certificate INACTIVE and deleted, thing deleted, marker removed; 500 says nothing is left', async () => {
      harness.cloud.fail('AttachThingPrincipal', Object.assign(new Error('internal'), { name: 'InternalFailureException' }));

      const response = await harness.post(body(), oneTime);

      expect(response.statusCode).toBe(500);
      expect(response.body).toEqual({ error: { code: 'RegistrationFailed', message: expect.stringContaining('nothing was left behind') } });
      expect(iotOrder()).toEqual([
        'CreateThing', 'CreateKeysAndCertificate', 'AttachPolicy', 'AttachThingPrincipal',
        'DetachPolicy', 'UpdateCertificate', 'DeleteCertificate', 'DeleteThing',
      ]);
      expect(writesOf(harness.s3)).toEqual(['PutObject', 'DeleteObject']);
      expect(harness.cloud.things.size).toBe(0);
      expect(harness.cloud.certificates.size).toBe(0);
      expect(harness.cloud.ledger.size).toBe(0);
      expect(harness.logs.raw()).not.toContain('PRIVATE KEY');

      // The device retries with the same one-time token, and it works.
      const retry = await harness.post(body(), oneTime);
      expect(retry.statusCode).toBe(200);
      expect(harness.cloud.ledger.size).toBe(1);
    });

    test('throttled past the SDK\'s retries -> 503, everything undone', async () => {
      harness.cloud.fail('AttachPolicy', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }));

      const response = await harness.post(body(), oneTime);

      expect(response.statusCode).toBe(503);
      expect(response.body.error).toEqual({ code: 'ServiceUnavailable', message: expect.stringContaining('nothing was left behind') });
      expect(harness.cloud.things.size + harness.cloud.certificates.size + harness.cloud.ledger.size).toBe(0);
    });

    test('the certificate delete waits out AWS IoT\'s asynchronous detach (DeleteConflict retried)', async () => {
      harness.cloud.fail('AttachThingPrincipal', Object.assign(new Error('internal'), { name: 'InternalFailureException' }));
      harness.cloud.fail('DeleteCertificate', Object.assign(new Error('still attached'), { name: 'DeleteConflictException' }));

      const response = await harness.post(body());

      expect(response.statusCode).toBe(500);
      expect(harness.cloud.certificates.size).toBe(0);
    });

    test('an undo that fails is reported: 500 naming what was left behind, logged', async () => {
      harness.cloud.fail('AttachThingPrincipal', Object.assign(new Error('internal'), { name: 'InternalFailureException' }));
      harness.cloud.fail('DeleteThing', Object.assign(new Error('internal'), { name: 'InternalFailureException' }));

      const response = await harness.post(body(), oneTime);

      expect(response.statusCode).toBe(500);
      expect(response.body).toEqual({
        leftBehind: ["thing 'sensor-1'"],
        error: { code: 'RegistrationFailed', message: expect.stringContaining("left behind: thing 'sensor-1'") },
      });
      expect(harness.cloud.certificates.size).toBe(0);
      expect(harness.cloud.ledger.size).toBe(0);
      expect(harness.logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'undo failed', step: "thing 'sensor-1'" }));
    });

    test('a thing created by a concurrent registration between DescribeThing and CreateThing -> 409, token released', async () => {
      harness.iot.on(DescribeThingCommand).rejectsOnce(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
      harness.cloud.addThing('sensor-1', THING_TYPES.sensor.thingTypeName);

      const response = await harness.post(body(), oneTime);

      expect(response.statusCode).toBe(409);
      expect(response.body.error).toMatchObject({ code: 'ThingAlreadyRegistered' });
      expect(harness.cloud.ledger.size).toBe(0);
      expect(harness.cloud.things.has('sensor-1')).toBe(true);
    });

    test('a failure before anything is created (DescribeThing) writes nothing and spends no token', async () => {
      harness.cloud.fail('DescribeThing', Object.assign(new Error('internal'), { name: 'InternalFailureException' }));

      const response = await harness.post(body(), oneTime);

      expect(response.statusCode).toBe(500);
      expect(iotOrder()).toEqual([]);
      expect(harness.s3.calls().length).toBe(0);
    });
  });
});
