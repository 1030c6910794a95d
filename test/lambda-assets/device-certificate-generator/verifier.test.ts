import { X509Certificate } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CsrFactory, iotWrites, useGeneratorHarness, VERIFIER_ARN } from './support';
import { callLog } from '../ca-registrator/support';

const csrs = new CsrFactory();
const harness = useGeneratorHarness();
const { iot, s3, lambda } = harness;
afterAll(() => csrs.dispose());

describe('the CA\'s verifier judges every certificate before it is given out', () => {
  test('it gets the standard verifier input for the certificate; on yes the certificate is stored, then answered', async () => {
    const ca = await harness.world.addCa({ verifierName: 'acme-verifier' });
    const inputs: Record<string, unknown>[] = [];
    harness.world.verifierAnswer = (input: Record<string, unknown>) => {
      inputs.push(input);
      return { verified: true, thingName: 'ignored-by-jitp' };
    };

    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem: csrs.make('P-256', '/O=Acme/CN=sensor-v1').csrPem });

    expect(response.statusCode).toBe(200);
    const certificatePem = response.body.certificatePem as string;
    // Serial numbers compared as numbers: hex renderings differ in leading zeros (about one serial in sixteen).
    const serial = new X509Certificate(certificatePem).serialNumber.toLowerCase().replace(/^0+/, '');
    expect(inputs).toEqual([{
      certificateId: response.body.certificateId,
      caCertificateId: ca.certificateId,
      certificatePem,
      subject: { organizationName: 'Acme', commonName: 'sensor-v1' },
      serialNumber: expect.stringMatching(/^[0-9a-f]+$/),
    }]);
    expect((inputs[0].serialNumber as string).replace(/^0+/, '')).toBe(serial);
    expect(lambda.commandCalls(InvokeCommand)[0].args[0].input).toMatchObject({ FunctionName: VERIFIER_ARN, InvocationType: 'RequestResponse' });
    // Verifier first, record after.
    expect(callLog(lambda, s3).filter((name) => name !== 'GetObject')).toEqual(['Invoke', 'PutObject']);
  });

  test.each([
    ['csrPem', () => ({ csrPem: csrs.make('rsa:2048', '/CN=sensor-no').csrPem })],
    ['keyAlgorithm', () => ({ keyAlgorithm: 'RSA-2048', subject: { commonName: 'sensor-no' } })],
  ])('a no (%s): 403 DeviceRejected with the reason; no certificate, no key, nothing stored', async (_mode, fields) => {
    const ca = await harness.world.addCa({ verifierName: 'acme-verifier' });
    harness.world.verifierAnswer = { verified: false, reason: 'not on the allow-list' };

    const response = await harness.post({ caCertificateId: ca.certificateId, ...fields() });

    expect(response.statusCode).toBe(403);
    expect(response.body).toEqual({ error: { code: 'DeviceRejected', message: "verifier 'acme-verifier' rejected the device: not on the allow-list" } });
    expect(response.raw).not.toMatch(/BEGIN/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(iotWrites(iot)).toEqual([]);
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({ message: 'request refused', statusCode: 403, code: 'DeviceRejected' }));
  });

  test('a no without a reason says so', async () => {
    const ca = await harness.world.addCa({ verifierName: 'acme-verifier' });
    harness.world.verifierAnswer = { verified: false };
    const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'n' } });
    expect(response.body.error).toEqual({ code: 'DeviceRejected', message: "verifier 'acme-verifier' rejected the device: no reason given" });
  });

  test.each<[string, (world: typeof harness.world) => void, string]>([
    ['the function fails', (world) => {
      world.verifierFunctionError = 'Unhandled';
      world.verifierAnswer = { errorMessage: 'boom', stackTrace: ['at verifier.js:1'] };
    }, 'the function failed (Unhandled)'],
    ['"verified" is not a boolean', (world) => {
      world.verifierAnswer = { verified: 'yes' };
    }, '"verified" must be a boolean'],
    ['the answer is not JSON', (world) => {
      world.verifierAnswer = 'OK';
    }, 'the answer is not JSON'],
  ])('%s: 502 VerifierFailed; nothing given out or stored; the reason is logged, not answered', async (_name, breakVerifier, logged) => {
    const ca = await harness.world.addCa({ verifierName: 'acme-verifier' });
    breakVerifier(harness.world);

    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem: csrs.make('P-256', '/CN=sensor-502').csrPem });

    expect(response.statusCode).toBe(502);
    expect(response.body).toEqual({ error: { code: 'VerifierFailed', message: expect.stringContaining("verifier 'acme-verifier' failed") } });
    expect(response.raw).not.toMatch(/BEGIN|boom|stackTrace/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      level: 'ERROR', message: 'verifier failed; no certificate given out', verifierName: 'acme-verifier', errorMessage: expect.stringContaining(logged),
    }));
  });

  test('a verifier the construct does not have (the CA tag names another): 502, never admitted by default', async () => {
    const ca = await harness.world.addCa({ verifierName: 'ghost' });
    const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'g' } });
    expect(response.statusCode).toBe(502);
    expect(lambda.calls()).toHaveLength(0);
  });

  test('Lambda refusing the invocation (throttled): 502', async () => {
    const ca = await harness.world.addCa({ verifierName: 'acme-verifier' });
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 't' } });
    expect(response.statusCode).toBe(502);
    expect(response.body.error).toMatchObject({ code: 'VerifierFailed' });
  });

  test('a CA without a verifier: no Lambda call at all', async () => {
    const ca = await harness.world.addCa();
    const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'free' } });
    expect(response.statusCode).toBe(200);
    expect(lambda.calls()).toHaveLength(0);
  });
});
