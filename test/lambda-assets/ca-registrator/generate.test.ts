import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import {
  DescribeCACertificateCommand,
  GetRegistrationCodeCommand,
  RegisterCACertificateCommand,
  RegisterCACertificateCommandInput,
} from '@aws-sdk/client-iot';
import { PutObjectCommand, PutObjectCommandInput } from '@aws-sdk/client-s3';
import {
  callLog,
  caRegisterEvent,
  OpenSsl,
  parseResponse,
  REGISTRATION_CODE,
  REGISTRATOR_ENV,
  useRegistratorHarness,
  VAULT_PREFIX_NORMALIZED,
} from './support';
import { certificateIdOf } from '../../../lambda-assets/shared/pki';

const openssl = new OpenSsl();

const DAY_MS = 24 * 60 * 60 * 1000;


afterAll(() => {
  openssl.cleanup();
  iot.restore();
  s3.restore();
});

const harness = useRegistratorHarness((iot, s3) => {
  iot.on(RegisterCACertificateCommand).callsFake((input: RegisterCACertificateCommandInput) => {
    const certificateId = certificateIdOf(input.caCertificate!);
    return { certificateId, certificateArn: caArn(certificateId) };
  });
  s3.on(PutObjectCommand).resolves({ ETag: '"etag"' });
});
const { iot, s3 } = harness;

function caArn(certificateId: string): string {
  return `arn:aws:iot:eu-west-1:123456789012:cacert/${certificateId}`;
}

function registerInput(): RegisterCACertificateCommandInput {
  expect(iot.commandCalls(RegisterCACertificateCommand)).toHaveLength(1);
  return iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input;
}

function putInputs(): PutObjectCommandInput[] {
  return s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

function vaultKey(caId: string, file: string): string {
  return `${VAULT_PREFIX_NORMALIZED}/${caId}/${file}`;
}

function storedBody(caId: string, file: string): string {
  const put = putInputs().find((input) => input.Key === vaultKey(caId, file));
  expect(put).toBeDefined();
  return put!.Body as string;
}

/** The checks every generated CA must pass, whatever the request asked for. */
function expectGeneratedCa(body: Record<string, unknown>) {
  // A vault CA: the answer says where its key is, and names no KMS key.
  expect(Object.keys(body).sort()).toEqual(['caCertificateArn', 'caCertificateId', 'caCertificatePem', 'keyStorage']);
  expect(body.keyStorage).toBe('VAULT');
  const pem = body.caCertificatePem as string;
  const caId = body.caCertificateId as string;
  // AWS IoT's id is the SHA-256 of the DER: computed here with Node's own X.509 parser.
  const der = new X509Certificate(pem).raw;
  expect(caId).toBe(createHash('sha256').update(der).digest('hex'));
  expect(body.caCertificateArn).toBe(caArn(caId));

  const text = openssl.text(pem);
  expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
  expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
  expect(new X509Certificate(pem).ca).toBe(true);
  // Self-signed: openssl accepts it as its own trust anchor.
  expect(openssl.verify(pem, pem)).toEqual({ status: 0, output: expect.stringContaining(': OK') });
  return { pem, caId, text };
}

describe('POST /caRegister, generating the CA (DEFAULT mode)', () => {
  test('an empty body makes an ECDSA P-256 CA, proves it to AWS IoT with the registration code, and registers it for JITR', async () => {
    const response = parseResponse(await harness.handler(caRegisterEvent({})));

    expect(response.statusCode).toBe(200);
    const { pem, caId, text } = expectGeneratedCa(response.body);
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(openssl.subject(pem)).toMatch(/^subject=CN=cdk-iot-security CA [0-9a-f]{12}$/);
    // DEFAULT_CA_VALIDITY_DAYS = 730
    const certificate = new X509Certificate(pem);
    const lifetime = Date.parse(certificate.validTo) - Date.parse(certificate.validFrom);
    expect(Math.round(lifetime / DAY_MS)).toBe(730);

    const input = registerInput();
    expect(input.caCertificate).toBe(pem);
    expect(input.setAsActive).toBe(true);
    expect(input.allowAutoRegistration).toBe(true);
    expect(input.certificateMode).toBe('DEFAULT');
    expect(input.tags).toEqual([{ Key: 'cdk-iot-security:registrar', Value: REGISTRATOR_ENV.REGISTRAR_ID }]);
    expect(input.registrationConfig).toBeUndefined();

    // The verification certificate: CN = the registration code, signed by the new CA's key.
    const verification = input.verificationCertificate!;
    expect(openssl.subject(verification)).toBe(`subject=CN=${REGISTRATION_CODE}`);
    expect(openssl.verify(pem, verification)).toEqual({ status: 0, output: expect.stringContaining(': OK') });
    expect(iot.commandCalls(GetRegistrationCodeCommand)).toHaveLength(1);

    // The vault: every file under <prefix>/<caId>/, SSE-KMS with the vault key.
    const puts = putInputs();
    expect(puts.map((put) => put.Key).sort()).toEqual([
      vaultKey(caId, 'ca.cert.pem'),
      vaultKey(caId, 'ca.json'),
      vaultKey(caId, 'ca.private_key.pem'),
      vaultKey(caId, 'ca.public_key.pem'),
      vaultKey(caId, 'verification.cert.pem'),
    ]);
    for (const put of puts) {
      expect(put).toMatchObject({
        Bucket: REGISTRATOR_ENV.VAULT_BUCKET,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: REGISTRATOR_ENV.VAULT_KEY_ARN,
      });
    }
    expect(storedBody(caId, 'ca.cert.pem')).toBe(pem);
    expect(storedBody(caId, 'verification.cert.pem')).toBe(verification);
    // The stored private key is the CA's: its public half is the certificate's public key.
    const privateKeyPem = storedBody(caId, 'ca.private_key.pem');
    expect(openssl.privateKeyType(privateKeyPem)).toMatch(/Private-Key: \(256 bit/);
    const certificateSpki = certificate.publicKey.export({ type: 'spki', format: 'der' });
    expect(createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' })).toEqual(certificateSpki);
    expect(createPublicKey(storedBody(caId, 'ca.public_key.pem')).export({ type: 'spki', format: 'der' })).toEqual(certificateSpki);
    expect(JSON.parse(storedBody(caId, 'ca.json'))).toEqual({
      caCertificateId: caId,
      source: 'generated',
      keyAlgorithm: 'ECDSA-P256',
      keyStorage: 'VAULT',
      certificateMode: 'DEFAULT',
      verifierName: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(putInputs().find((put) => put.Key!.endsWith('ca.json'))!.ContentType).toBe('application/json');
    expect(putInputs().find((put) => put.Key!.endsWith('ca.cert.pem'))!.ContentType).toBe('application/x-pem-file');

    // Vault first, registration last: a registered CA always has its key stored.
    expect(callLog(iot, s3)).toEqual([
      'GetRegistrationCode',
      'PutObject', 'PutObject', 'PutObject', 'PutObject', 'PutObject',
      'RegisterCACertificate',
    ]);
    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(0);

    // The CA private key goes to the vault only: never to the caller, never to the log.
    expect(response.raw).not.toMatch(/PRIVATE KEY/);
    expect(harness.logs.lines.join('')).not.toMatch(/PRIVATE KEY/);
    expect(harness.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(expect.objectContaining({
      level: 'INFO', message: 'CA registered', caCertificateId: caId, function: 'ca-registrator',
    }));
  });

  test('csrSubjects, keyAlgorithm, validityDays and verifierName shape the CA and its tags', async () => {
    const response = parseResponse(await harness.handler(caRegisterEvent({
      csrSubjects: {
        commonName: 'Acme Devices Root CA',
        countryName: 'DE',
        stateName: 'Bavaria',
        localityName: 'Munich',
        organizationName: 'Acme GmbH',
        organizationUnitName: 'Device Fleet',
      },
      keyAlgorithm: 'RSA-2048',
      validityDays: 90,
      verifierName: 'acme-verifier',
    })));

    expect(response.statusCode).toBe(200);
    const { pem, caId, text } = expectGeneratedCa(response.body);
    expect(openssl.subject(pem)).toBe('subject=CN=Acme Devices Root CA,OU=Device Fleet,O=Acme GmbH,L=Munich,ST=Bavaria,C=DE');
    expect(text).toContain('Public Key Algorithm: rsaEncryption');
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    const certificate = new X509Certificate(pem);
    expect(Math.round((Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / DAY_MS)).toBe(90);

    const input = registerInput();
    expect(input.tags).toEqual([
      { Key: 'cdk-iot-security:registrar', Value: REGISTRATOR_ENV.REGISTRAR_ID },
      { Key: 'cdk-iot-security:verifier', Value: 'acme-verifier' },
    ]);
    expect(openssl.verify(pem, input.verificationCertificate!).status).toBe(0);
    expect(openssl.subject(input.verificationCertificate!)).toBe(`subject=CN=${REGISTRATION_CODE}`);
    expect(openssl.privateKeyType(storedBody(caId, 'ca.private_key.pem'))).toMatch(/Private-Key: \(2048 bit/);
    expect(JSON.parse(storedBody(caId, 'ca.json'))).toMatchObject({
      keyAlgorithm: 'RSA-2048', verifierName: 'acme-verifier', certificateMode: 'DEFAULT', source: 'generated',
    });
    expect(response.raw).not.toMatch(/PRIVATE KEY/);
  });

  test('csrSubjects without commonName keep the unique default CN, and two requests make two distinct CAs', async () => {
    const first = parseResponse(await harness.handler(caRegisterEvent({ csrSubjects: { organizationName: 'Acme' } })));
    const second = parseResponse(await harness.handler(caRegisterEvent({ csrSubjects: { organizationName: 'Acme' } })));

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    const firstSubject = openssl.subject(first.body.caCertificatePem as string);
    const secondSubject = openssl.subject(second.body.caCertificatePem as string);
    expect(firstSubject).toMatch(/^subject=CN=cdk-iot-security CA [0-9a-f]{12},O=Acme$/);
    // AWS allows 10 CAs with one subject per account: the default CN keeps them apart.
    expect(firstSubject).not.toBe(secondSubject);
    expect(first.body.caCertificateId).not.toBe(second.body.caCertificateId);
  });

  test('an ECDSA P-384 CA signs with SHA-384', async () => {
    const response = parseResponse(await harness.handler(caRegisterEvent({ keyAlgorithm: 'ECDSA-P384' })));

    expect(response.statusCode).toBe(200);
    const { pem, text } = expectGeneratedCa(response.body);
    expect(text).toContain('ASN1 OID: secp384r1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA384');
    expect(openssl.verify(pem, registerInput().verificationCertificate!).status).toBe(0);
  });

  test('the longest validity the API allows (18250 days) still makes a certificate openssl reads', async () => {
    const response = parseResponse(await harness.handler(caRegisterEvent({ validityDays: 18250 })));

    expect(response.statusCode).toBe(200);
    const certificate = new X509Certificate(response.body.caCertificatePem as string);
    expect(Math.round((Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / DAY_MS)).toBe(18250);
    expectGeneratedCa(response.body);
  });

  test('a null body and a base64-encoded body are read like any other', async () => {
    const fromNull = parseResponse(await harness.handler(caRegisterEvent(undefined)));
    expect(fromNull.statusCode).toBe(200);
    expectGeneratedCa(fromNull.body);

    iot.resetHistory();
    s3.resetHistory();
    const encoded = Buffer.from(JSON.stringify({ csrSubjects: { commonName: 'Base64 CA' } })).toString('base64');
    const fromBase64 = parseResponse(await harness.handler(caRegisterEvent(encoded, true)));
    expect(fromBase64.statusCode).toBe(200);
    expect(openssl.subject(fromBase64.body.caCertificatePem as string)).toBe('subject=CN=Base64 CA');
  });
});

describe('POST /caRegister, generating the CA (SNI_ONLY mode)', () => {
  test('sends no verification certificate, asks for no registration code, and stores no verification file', async () => {
    const response = parseResponse(await harness.handler(caRegisterEvent({ certificateMode: 'SNI_ONLY', verifierName: 'allow-list' })));

    expect(response.statusCode).toBe(200);
    const { pem, caId } = expectGeneratedCa(response.body);
    const input = registerInput();
    expect(input).toEqual({
      caCertificate: pem,
      verificationCertificate: undefined,
      certificateMode: 'SNI_ONLY',
      setAsActive: true,
      allowAutoRegistration: true,
      tags: [
        { Key: 'cdk-iot-security:registrar', Value: REGISTRATOR_ENV.REGISTRAR_ID },
        { Key: 'cdk-iot-security:verifier', Value: 'allow-list' },
      ],
    });
    expect(iot.commandCalls(GetRegistrationCodeCommand)).toHaveLength(0);
    expect(putInputs().map((put) => put.Key).sort()).toEqual([
      vaultKey(caId, 'ca.cert.pem'),
      vaultKey(caId, 'ca.json'),
      vaultKey(caId, 'ca.private_key.pem'),
      vaultKey(caId, 'ca.public_key.pem'),
    ]);
    expect(JSON.parse(storedBody(caId, 'ca.json'))).toMatchObject({ certificateMode: 'SNI_ONLY', verifierName: 'allow-list' });
    expect(callLog(iot, s3)).toEqual(['PutObject', 'PutObject', 'PutObject', 'PutObject', 'RegisterCACertificate']);
  });
});
