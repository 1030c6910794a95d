import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { DescribeProvisioningTemplateCommand } from '@aws-sdk/client-iot';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CN_TEMPLATE_NAME,
  CsrFactory,
  ENDPOINT,
  GENERATOR_ENV,
  iotWrites,
  ORG_TEMPLATE_BODY,
  PROVISIONING_ROLE_ARN,
  useGeneratorHarness,
  vaultKey,
} from './support';
import { AMAZON_ROOT_CA_PEMS } from '../../../lambda-assets/shared/iot/amazon-root-cas';
import { KeyAlgorithm } from '../../../lambda-assets/shared/pki';
import { callLog } from '../ca-registrator/support';

const DAY_MS = 24 * 60 * 60 * 1000;
const csrs = new CsrFactory();
const harness = useGeneratorHarness();
const { iot, s3, lambda } = harness;

afterAll(() => csrs.dispose());

function csrSha256(csrPem: string): string {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex');
}

function lifetimeDays(pem: string): number {
  const certificate = new X509Certificate(pem);
  return Math.round((Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / DAY_MS);
}

describe('POST /deviceCertificateGenerate with a CSR', () => {
  test.each<[string, 'rsa:2048' | 'P-256', KeyAlgorithm]>([
    ['RSA-2048 CSR under an ECDSA P-256 CA', 'rsa:2048', 'ECDSA-P256'],
    ['ECDSA P-256 CSR under an RSA-2048 CA', 'P-256', 'RSA-2048'],
  ])('%s: certifies the CSR key and subject, chains to the CA, stores the record, answers the full shape', async (_name, csrKey, caKey) => {
    const ca = await harness.world.addCa({ keyAlgorithm: caKey });
    const { csrPem, keyPem } = csrs.make(csrKey, '/C=DE/O=Acme GmbH/CN=sensor-0001/serialNumber=SN-0001');

    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem });

    expect(response.statusCode).toBe(200);
    const body = response.body as Record<string, string> & { amazonRootCaPems: Record<string, string> };
    expect(Object.keys(body)).toEqual([
      'certificateId', 'certificatePem', 'caCertificateId', 'caCertificatePem', 'certificateChainPem', 'endpoint', 'amazonRootCaPems',
    ]);
    // Judged by OpenSSL: signed by the CA, with the device's own key and the CSR's subject.
    expect(csrs.openssl.verify(ca.certificatePem, body.certificatePem)).toMatch(/cert\.pem: OK$/);
    expect(csrs.openssl.subjectRfc2253(body.certificatePem)).toBe('serialNumber=SN-0001,CN=sensor-0001,O=Acme GmbH,C=DE');
    const certificate = new X509Certificate(body.certificatePem);
    expect(certificate.publicKey.export({ type: 'spki', format: 'der' })).toEqual(createPublicKey(keyPem).export({ type: 'spki', format: 'der' }));
    expect(certificate.ca).toBe(false);
    expect(body.certificateId).toBe(createHash('sha256').update(certificate.raw).digest('hex'));
    expect(lifetimeDays(body.certificatePem)).toBe(Number(GENERATOR_ENV.DEFAULT_DEVICE_VALIDITY_DAYS));

    expect(body.caCertificateId).toBe(ca.certificateId);
    expect(body.caCertificatePem).toBe(ca.certificatePem);
    // What the device sends in the TLS handshake: its certificate, then the CA's.
    expect(body.certificateChainPem).toBe(`${body.certificatePem.trimEnd()}\n${ca.certificatePem.trimEnd()}\n`);
    expect(new X509Certificate(body.certificateChainPem).raw).toEqual(certificate.raw);
    expect(body.endpoint).toBe(ENDPOINT);
    expect(body.amazonRootCaPems).toEqual(AMAZON_ROOT_CA_PEMS);

    // The record of the CSR: written once, SSE-KMS with the vault key, only if absent.
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toEqual([{
      Bucket: GENERATOR_ENV.VAULT_BUCKET,
      Key: vaultKey(ca.certificateId, `issued/${csrSha256(csrPem)}.json`),
      Body: expect.any(String),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: GENERATOR_ENV.VAULT_KEY_ARN,
      IfNoneMatch: '*',
    }]);
    expect(JSON.parse(puts[0].Body as string)).toEqual({
      certificateId: body.certificateId,
      certificatePem: body.certificatePem,
      issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    // AWS IoT is only read: JITP registers the certificate on the device's first connect.
    expect(iotWrites(iot)).toEqual([]);
    // (DescribeEndpoint is asked once per container, so only by the file's first request.)
    expect(callLog(iot, s3).filter((name) => name !== 'DescribeEndpoint')).toEqual([
      'DescribeCACertificate', 'ListTagsForResource', 'DescribeProvisioningTemplate',
      'GetObject', // no record of this CSR yet
      'GetObject', 'GetObject', // the CA certificate and key
      'PutObject',
    ]);
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      level: 'INFO',
      message: 'device certificate issued',
      function: 'device-certificate-generator',
      caCertificateId: ca.certificateId,
      certificateId: body.certificateId,
      mode: 'csr',
    }));
    expect(harness.logs.raw()).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(response.raw).not.toMatch(/PRIVATE KEY/);
  });

  test('validityDays sets the lifetime', async () => {
    const ca = await harness.world.addCa();
    const { csrPem } = csrs.make('P-256', '/CN=short-lived');

    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem, validityDays: 30 });

    expect(response.statusCode).toBe(200);
    expect(lifetimeDays(response.body.certificatePem as string)).toBe(30);
  });

  test('an inline template (templateBody on the CA) is read from the CA; a CSR with every field it reads is certified', async () => {
    const ca = await harness.world.addCa({ registrationConfig: { templateBody: ORG_TEMPLATE_BODY, roleArn: PROVISIONING_ROLE_ARN } });
    const { csrPem } = csrs.make('P-256', '/C=FR/O=Acme_SAS/CN=sensor-fr-1');

    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem });

    expect(response.statusCode).toBe(200);
    expect(iot.commandCalls(DescribeProvisioningTemplateCommand)).toHaveLength(0);
    expect(csrs.openssl.verify(ca.certificatePem, response.body.certificatePem as string)).toMatch(/: OK$/);
  });
});

describe('the template decides which subject fields a CSR must carry', () => {
  test.each([
    ['no O', '/C=FR/CN=sensor-fr-2', 'organizationName', 'AWS::IoT::Certificate::Organization'],
    ['no C', '/O=Acme SAS/CN=sensor-fr-3', 'countryName', 'AWS::IoT::Certificate::Country'],
    ['no CN', '/C=FR/O=Acme SAS/serialNumber=42', 'commonName', 'AWS::IoT::Certificate::CommonName'],
  ])('%s: 400 MissingSubjectField naming csrPem and the parameter; nothing signed or stored', async (_name, subject, field, parameter) => {
    const ca = await harness.world.addCa({ registrationConfig: { templateBody: ORG_TEMPLATE_BODY, roleArn: PROVISIONING_ROLE_ARN } });

    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem: csrs.make('P-256', subject).csrPem });

    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({ error: { code: 'MissingSubjectField', message: expect.stringMatching(/^csrPem: /) } });
    const { message } = (response.body.error as { message: string });
    expect(message).toContain(`no ${field}`);
    expect(message).toContain(parameter);
    expect(message).toContain('PENDING_ACTIVATION');
    expect(s3.calls()).toHaveLength(0); // not even the CA key was read
    expect(iotWrites(iot)).toEqual([]);
  });

  test('with the template by name, a CSR without a CN is refused', async () => {
    const ca = await harness.world.addCa({ registrationConfig: { templateName: CN_TEMPLATE_NAME } });
    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem: csrs.make('P-256', '/O=Acme/serialNumber=7').csrPem });
    expect(response.statusCode).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'MissingSubjectField', message: expect.stringContaining('AWS::IoT::Certificate::CommonName') });
  });
});

describe('the same CSR gets the same certificate', () => {
  test('a replay answers the stored certificate (the verifier judges it again), and nothing is written twice', async () => {
    const ca = await harness.world.addCa({ verifierName: 'acme-verifier' });
    const { csrPem } = csrs.make('rsa:2048', '/CN=sensor-replay');

    const first = await harness.post({ caCertificateId: ca.certificateId, csrPem });
    // Another validity does not make it another request: the CSR names the certificate.
    const second = await harness.post({ caCertificateId: ca.certificateId, csrPem, validityDays: 7 });

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
    // The replay signs nothing: the CA key is not read again.
    const keyReads = s3.commandCalls(GetObjectCommand).filter((call) => call.args[0].input.Key!.endsWith('ca.private_key.pem'));
    expect(keyReads).toHaveLength(1);
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      message: 'device certificate replayed', certificateId: first.body.certificateId, csrSha256: csrSha256(csrPem),
    }));
  });

  test('a replay the verifier now rejects is refused (403), and the record stays as it was', async () => {
    const ca = await harness.world.addCa({ verifierName: 'acme-verifier' });
    const { csrPem } = csrs.make('P-256', '/CN=sensor-revoked');
    expect((await harness.post({ caCertificateId: ca.certificateId, csrPem })).statusCode).toBe(200);
    const records = harness.world.issuedRecords();

    harness.world.verifierAnswer = { verified: false, reason: 'serial withdrawn' };
    const replay = await harness.post({ caCertificateId: ca.certificateId, csrPem });

    expect(replay.statusCode).toBe(403);
    expect(replay.body).toEqual({ error: { code: 'DeviceRejected', message: "verifier 'acme-verifier' rejected the device: serial withdrawn" } });
    expect(harness.world.issuedRecords()).toEqual(records);
  });

  test('two racing requests with one CSR both answer the certificate stored first', async () => {
    const ca = await harness.world.addCa();
    const { csrPem } = csrs.make('P-256', '/CN=sensor-race');
    // Neither finds a record: each read waits until both requests have looked.
    let arrivals = 0;
    let release!: () => void;
    const bothLooked = new Promise<void>((resolve) => { release = resolve; });
    harness.world.beforeIssuedRecordRead = async () => {
      if (++arrivals === 2) release();
      await bothLooked;
    };

    const [a, b] = await Promise.all([
      harness.post({ caCertificateId: ca.certificateId, csrPem }),
      harness.post({ caCertificateId: ca.certificateId, csrPem }),
    ]);

    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    // Both signed a certificate and tried to store it; the conditional write let one in.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
    expect(a.body.certificateId).toBe(b.body.certificateId);
    expect(Object.values(harness.world.issuedRecords()).map((record) => record.certificateId)).toEqual([a.body.certificateId]);
  });

  test('the same CSR under another CA is another request: its own certificate and record', async () => {
    const [ca1, ca2] = [await harness.world.addCa(), await harness.world.addCa()];
    const { csrPem } = csrs.make('P-256', '/CN=sensor-two-cas');

    const one = await harness.post({ caCertificateId: ca1.certificateId, csrPem });
    const two = await harness.post({ caCertificateId: ca2.certificateId, csrPem });

    expect(one.body.certificateId).not.toBe(two.body.certificateId);
    expect(csrs.openssl.verify(ca2.certificatePem, two.body.certificatePem as string)).toMatch(/: OK$/);
    expect(Object.keys(harness.world.issuedRecords()).sort()).toEqual([
      vaultKey(ca1.certificateId, `issued/${csrSha256(csrPem)}.json`),
      vaultKey(ca2.certificateId, `issued/${csrSha256(csrPem)}.json`),
    ].sort());
  });
});
