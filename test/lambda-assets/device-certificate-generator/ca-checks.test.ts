import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CN_TEMPLATE_NAME, CsrFactory, iotWrites, PROVISIONING_ROLE_ARN, useGeneratorHarness, vaultKey } from './support';

const csrs = new CsrFactory();
const harness = useGeneratorHarness();
const { iot, s3 } = harness;
afterAll(() => csrs.dispose());

const keyRequest = (caCertificateId: string) => ({ caCertificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'sensor-9' } });

/** Every refusal names caCertificateId, leaves the vault and AWS IoT untouched. */
function expectRefused(response: { statusCode: number; body: Record<string, unknown> }, statusCode: number, code: string, reason: RegExp) {
  expect(response.statusCode).toBe(statusCode);
  expect(response.body).toEqual({ error: { code, message: expect.stringMatching(/^caCertificateId: /) } });
  expect((response.body.error as { message: string }).message).toMatch(reason);
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(iotWrites(iot)).toEqual([]);
}

describe('the CA must be one this construct registered for JITP', () => {
  test('an unknown CA: 404 CaNotFound', async () => {
    expectRefused(await harness.post(keyRequest('f'.repeat(64))), 404, 'CaNotFound', /no CA certificate with this id/);
    expect(s3.calls()).toHaveLength(0);
  });

  test.each([
    ['another stack\'s registrar tag', 'stack-other'],
    ['no registrar tag at all', null],
  ])('a foreign CA (%s): 400 CaNotManaged, and its vault folder is never read', async (_name, registrar) => {
    const ca = await harness.world.addCa({ registrar });
    expectRefused(await harness.post(keyRequest(ca.certificateId)), 400, 'CaNotManaged', /not registered by this construct/);
    expect(s3.calls()).toHaveLength(0);
  });

  test('an INACTIVE CA: 409 CaNotActive', async () => {
    const ca = await harness.world.addCa({ status: 'INACTIVE' });
    expectRefused(await harness.post(keyRequest(ca.certificateId)), 409, 'CaNotActive', /the CA is INACTIVE/);
  });

  test('auto-registration DISABLE: 409 CaAutoRegistrationDisabled', async () => {
    const ca = await harness.world.addCa({ autoRegistrationStatus: 'DISABLE' });
    expectRefused(await harness.post(keyRequest(ca.certificateId)), 409, 'CaAutoRegistrationDisabled', /auto-registration is DISABLE.*needs ENABLE/);
  });

  test('a JITR CA (no registrationConfig): 409 CaWithoutTemplate', async () => {
    const ca = await harness.world.addCa({ registrationConfig: null });
    expectRefused(await harness.post(keyRequest(ca.certificateId)), 409, 'CaWithoutTemplate', /no provisioning template/);
  });

  test.each([
    ['a template name AWS IoT does not know', { templateName: 'Gone' }, /template 'Gone' does not exist/],
    ['a fleet provisioning template', { templateName: 'Fleet' }, /'Fleet' is a FLEET_PROVISIONING template, not JITP/],
    ['a disabled template', { templateName: 'Off' }, /'Off' is disabled/],
    ['an inline body that is not JSON', { templateBody: 'Parameters:', roleArn: PROVISIONING_ROLE_ARN }, /body is not JSON/],
    ['a certificate parameter AWS IoT does not define', {
      templateBody: JSON.stringify({ Parameters: { 'AWS::IoT::Certificate::Email': { Type: 'String' } } }), roleArn: PROVISIONING_ROLE_ARN,
    }, /declares AWS::IoT::Certificate::Email/],
  ])('%s: 409 TemplateUnusable', async (_name, registrationConfig, reason) => {
    harness.world.templates.set('Fleet', { body: '{}', type: 'FLEET_PROVISIONING', enabled: true });
    harness.world.templates.set('Off', { body: '{}', type: 'JITP', enabled: false });
    const ca = await harness.world.addCa({ registrationConfig });
    expectRefused(await harness.post(keyRequest(ca.certificateId)), 409, 'TemplateUnusable', reason);
  });
});

describe('the CA key must be in the vault', () => {
  test.each([
    ['keyAlgorithm', () => ({ keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'sensor-9' } })],
    ['csrPem', () => ({ csrPem: csrs.make('P-256', '/CN=sensor-9').csrPem })],
  ])('an imported CA (%s): 400 CaKeyNotInVault', async (_mode, fields) => {
    const ca = await harness.world.addCa({ source: 'imported', registrationConfig: { templateName: CN_TEMPLATE_NAME } });
    const response = await harness.post({ caCertificateId: ca.certificateId, ...fields() });
    expectRefused(response, 400, 'CaKeyNotInVault', /imported; its key is not in the vault/);
    expect(harness.world.issuedRecords()).toEqual({});
  });

  test('a vault without the CA certificate is our fault: 500, no detail to the caller, the reason in the log', async () => {
    const ca = await harness.world.addCa();
    harness.world.objects.delete(vaultKey(ca.certificateId, 'ca.cert.pem'));

    const response = await harness.post(keyRequest(ca.certificateId));

    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({ error: { code: 'InternalError', message: expect.not.stringContaining(ca.certificateId) } });
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      level: 'ERROR', errorMessage: `the vault holds no certificate for CA ${ca.certificateId}`,
    }));
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toContain(vaultKey(ca.certificateId, 'ca.private_key.pem'));
  });

  test('a CA made while the construct kept CA keys in KMS still issues, signed through KMS', async () => {
    const ca = await harness.world.addCa({ source: 'kms' });
    const response = await harness.post(keyRequest(ca.certificateId));
    expect(response.statusCode).toBe(200);
    expect(csrs.openssl.verify(ca.certificatePem, response.body.certificatePem as string)).toBe('cert.pem: OK');
    // The vault's own storage is read first; the KMS record only when the vault holds no key.
    const reads = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key);
    expect(reads.indexOf(vaultKey(ca.certificateId, 'ca.private_key.pem'))).toBeLessThan(reads.indexOf(vaultKey(ca.certificateId, 'ca.kms_key.json')));
    expect(harness.kms.calls()).toHaveLength(1);
  });
});
