import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { DescribeEndpointCommand } from '@aws-sdk/client-iot';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ENDPOINT, iotWrites, ORG_TEMPLATE_BODY, PROVISIONING_ROLE_ARN, useGeneratorHarness } from './support';
import { AMAZON_ROOT_CA_PEMS } from '../../../lambda-assets/shared/iot/amazon-root-cas';
import { OpensslWorkspace } from '../shared/pki/openssl';

const openssl = new OpensslWorkspace();
const harness = useGeneratorHarness();
const { iot, s3 } = harness;

afterAll(() => openssl.dispose());

describe('POST /deviceCertificateGenerate with keyAlgorithm (the key is made here)', () => {
  test.each([
    ['RSA-2048', /Private-Key: \(2048 bit/, 'rsa'],
    ['ECDSA-P256', /Private-Key: \(256 bit/, 'ec'],
  ])('%s: a key and its certificate, answered once and kept nowhere', async (keyAlgorithm, opensslKeyLine, keyType) => {
    const ca = await harness.world.addCa();

    const response = await harness.post({
      caCertificateId: ca.certificateId,
      keyAlgorithm,
      subject: { commonName: 'pump-0042', organizationName: 'Acme GmbH', countryName: 'DE' },
    });

    expect(response.statusCode).toBe(200);
    const body = response.body as Record<string, string> & { amazonRootCaPems: Record<string, string> };
    expect(Object.keys(body)).toEqual([
      'certificateId', 'certificatePem', 'caCertificateId', 'caCertificatePem', 'certificateChainPem', 'privateKeyPem', 'endpoint', 'amazonRootCaPems',
    ]);
    expect(openssl.verify(ca.certificatePem, body.certificatePem)).toMatch(/cert\.pem: OK$/);
    expect(openssl.subjectRfc2253(body.certificatePem)).toBe('CN=pump-0042,O=Acme GmbH,C=DE');
    // The key OpenSSL reads is the one the certificate certifies.
    openssl.write('device.key', body.privateKeyPem);
    expect(openssl.run('pkey', '-in', 'device.key', '-noout', '-text').split('\n')[0]).toMatch(opensslKeyLine);
    const certificate = new X509Certificate(body.certificatePem);
    expect(certificate.publicKey.asymmetricKeyType).toBe(keyType);
    expect(createPublicKey(createPrivateKey(body.privateKeyPem)).export({ type: 'spki', format: 'der' }))
      .toEqual(certificate.publicKey.export({ type: 'spki', format: 'der' }));
    expect(body.certificateChainPem).toBe(`${body.certificatePem.trimEnd()}\n${ca.certificatePem.trimEnd()}\n`);
    expect(body).toMatchObject({ caCertificateId: ca.certificateId, caCertificatePem: ca.certificatePem, endpoint: ENDPOINT });
    expect(body.amazonRootCaPems).toEqual(AMAZON_ROOT_CA_PEMS);

    // Never stored (no record, no key), never logged, nothing created in AWS IoT.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(iotWrites(iot)).toEqual([]);
    expect(harness.logs.raw()).not.toMatch(/PRIVATE KEY/);
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      level: 'INFO', message: 'device certificate issued', mode: 'generate-key', keyAlgorithm, certificateId: body.certificateId,
    }));
  });

  test('every subject field lands in the certificate', async () => {
    const ca = await harness.world.addCa({ keyAlgorithm: 'RSA-2048' });
    const subject = {
      commonName: 'meter-7',
      countryName: 'AT',
      stateName: 'Tirol',
      localityName: 'Innsbruck',
      organizationName: 'Acme GmbH',
      organizationUnitName: 'Metering',
      serialNumber: 'SN-7',
      dnQualifier: 'line-3',
    };

    const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject, validityDays: 1000 });

    expect(response.statusCode).toBe(200);
    expect(openssl.subjectRfc2253(response.body.certificatePem as string))
      .toBe('dnQualifier=line-3,serialNumber=SN-7,CN=meter-7,OU=Metering,O=Acme GmbH,L=Innsbruck,ST=Tirol,C=AT');
  });

  test('not idempotent by design: each request gets a new key and certificate; the endpoint is asked once per container', async () => {
    const ca = await harness.world.addCa();
    const request = { caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'twice' } };

    const [a, b] = [await harness.post(request), await harness.post(request)];

    expect(a.body.certificateId).not.toBe(b.body.certificateId);
    expect(a.body.privateKeyPem).not.toBe(b.body.privateKeyPem);
    expect(iot.commandCalls(DescribeEndpointCommand).length).toBeLessThanOrEqual(1);
  });

  test.each([
    ['organizationName', { commonName: 'x', countryName: 'FR' }, 'AWS::IoT::Certificate::Organization'],
    ['countryName', { commonName: 'x', organizationName: 'Acme SAS' }, 'AWS::IoT::Certificate::Country'],
  ])('no %s where the template reads it: 400 MissingSubjectField naming the field and the parameter', async (field, subject, parameter) => {
    const ca = await harness.world.addCa({ registrationConfig: { templateBody: ORG_TEMPLATE_BODY, roleArn: PROVISIONING_ROLE_ARN } });

    const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject });

    expect(response.statusCode).toBe(400);
    expect(response.body.error).toEqual({ code: 'MissingSubjectField', message: expect.stringMatching(new RegExp(`^subject\\.${field}: `)) });
    expect((response.body.error as { message: string }).message).toContain(parameter);
    expect(s3.calls()).toHaveLength(0);
    expect(iotWrites(iot)).toEqual([]);
  });

  test.each([
    ['organizationName', { commonName: 'x', organizationName: 'Acme SAS', countryName: 'FR' }, "thing attribute 'org'", 'no spaces'],
    ['commonName', { commonName: 'sensor 7', organizationName: 'Acme', countryName: 'FR' }, 'the thing name', 'letters, digits and :_-'],
  ])('a %s AWS IoT would refuse where the template puts it: 400 InvalidSubjectValue, nothing signed', async (field, subject, usedAs, allowed) => {
    const ca = await harness.world.addCa({ registrationConfig: { templateBody: ORG_TEMPLATE_BODY, roleArn: PROVISIONING_ROLE_ARN } });

    const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject });

    expect(response.statusCode).toBe(400);
    expect(response.body.error).toEqual({ code: 'InvalidSubjectValue', message: expect.stringMatching(new RegExp(`^subject\\.${field}: `)) });
    expect((response.body.error as { message: string }).message).toContain(`makes it ${usedAs}`);
    expect((response.body.error as { message: string }).message).toContain(allowed);
    expect(s3.calls()).toHaveLength(0);
    expect(iotWrites(iot)).toEqual([]);
  });
});
