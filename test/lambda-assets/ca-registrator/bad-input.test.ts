import {
  DescribeCACertificateCommand,
  GetRegistrationCodeCommand,
  RegisterCACertificateCommand,
} from '@aws-sdk/client-iot';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  caRegisterEvent,
  OpenSsl,
  parseResponse,
  REGISTRATION_CODE,
  useRegistratorHarness,
} from './support';
import {
  certificateIdOf,
  createCaCertificate,
  createVerificationCertificate,
  GeneratedCa,
  issueDeviceCertificateWithNewKey,
} from '../../../lambda-assets/shared/pki';

const openssl = new OpenSsl();

/** A CA the user "brings", made with our PKI, and its proper verification certificate. */
let userCa: GeneratedCa;
let userVerificationPem: string;

beforeAll(async () => {
  userCa = await createCaCertificate({ subject: { commonName: 'User Root CA', organizationName: 'User Inc' }, keyAlgorithm: 'ECDSA-P256', validityDays: 365 });
  userVerificationPem = (await createVerificationCertificate(userCa.authority, REGISTRATION_CODE)).certificatePem;
});

afterAll(() => openssl.cleanup());

const harness = useRegistratorHarness((iot) => {
  iot.on(RegisterCACertificateCommand).resolves({ certificateId: 'f'.repeat(64), certificateArn: 'arn:aws:iot:eu-west-1:123456789012:cacert/x' });
});
const { iot, s3 } = harness;

async function post(body: unknown) {
  return parseResponse(await harness.handler(caRegisterEvent(body)));
}

/** Nothing was written: no S3 object, no CA registered, nothing to clean up. */
function expectNoWrites() {
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  expect(iot.commandCalls(RegisterCACertificateCommand)).toHaveLength(0);
}

function expectError(response: { statusCode: number; body: Record<string, unknown> }, statusCode: number, code: string, field: string) {
  expect(response.statusCode).toBe(statusCode);
  expect(Object.keys(response.body)).toEqual(['error']);
  const error = response.body.error as Record<string, unknown>;
  expect(Object.keys(error).sort()).toEqual(['code', 'message']);
  expect(error.code).toBe(code);
  // The message starts with the offending field, so the caller knows what to fix.
  expect(error.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
  return error.message as string;
}

describe('POST /caRegister refuses a malformed request before touching AWS', () => {
  test.each([
    ['malformed JSON', '{"keyAlgorithm": ', 'MalformedJson', 'body'],
    ['a JSON array', '[{"keyAlgorithm":"RSA-2048"}]', 'InvalidBody', 'body'],
    ['a JSON string', '"hello"', 'InvalidBody', 'body'],
    ['JSON null', 'null', 'InvalidBody', 'body'],
    ['a body over 64 KiB', JSON.stringify({ csrSubjects: { commonName: 'x'.repeat(70_000) } }), 'BodyTooLarge', 'body'],
  ])('%s -> 400', async (_name, body, code, field) => {
    expectError(await post(body), 400, code, field);
    expect(iot.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  test.each<[string, Record<string, unknown>, string, RegExp?]>([
    ['an unknown field', { keyAlgoritm: 'RSA-2048' }, 'keyAlgoritm', /unknown field/],
    ['an unknown csrSubjects field', { csrSubjects: { emailAddress: 'ca@example.com' } }, 'csrSubjects.emailAddress', /unknown field/],
    ['csrSubjects that are not an object', { csrSubjects: ['CN=x'] }, 'csrSubjects', /JSON object/],
    ['a three-letter countryName', { csrSubjects: { countryName: 'USA' } }, 'csrSubjects.countryName', /two-letter/],
    ['a commonName longer than 64 characters', { csrSubjects: { commonName: 'c'.repeat(65) } }, 'csrSubjects.commonName', /at most 64/],
    ['an empty commonName', { csrSubjects: { commonName: '' } }, 'csrSubjects.commonName', /non-empty/],
    ['a numeric organizationName', { csrSubjects: { organizationName: 42 } }, 'csrSubjects.organizationName', /string/],
    ['a commonName with a newline', { csrSubjects: { commonName: 'evil\nCN=admin' } }, 'csrSubjects.commonName', /control characters/],
    ['keyAlgorithm RSA-1024', { keyAlgorithm: 'RSA-1024' }, 'keyAlgorithm', /ECDSA-P256/],
    ['keyAlgorithm Ed25519', { keyAlgorithm: 'Ed25519' }, 'keyAlgorithm', /must be one of/],
    ['validityDays 0', { validityDays: 0 }, 'validityDays', /integer from 1 to 18250/],
    ['validityDays 1.5', { validityDays: 1.5 }, 'validityDays', /integer/],
    ["validityDays '10'", { validityDays: '10' }, 'validityDays', /integer/],
    ['validityDays beyond 50 years', { validityDays: 18251 }, 'validityDays', /18250/],
    ['a verifierName that is not configured', { verifierName: 'unknown-verifier' }, 'verifierName', /acme-verifier, allow-list/],
    ['an empty verifierName', { verifierName: '' }, 'verifierName', /non-empty/],
    ['an unknown certificateMode', { certificateMode: 'MULTI_ACCOUNT' }, 'certificateMode', /DEFAULT, SNI_ONLY/],
    ['verificationCertificatePem without caCertificatePem', { verificationCertificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
      'verificationCertificatePem', /only accepted together with caCertificatePem/],
  ])('%s -> 400 naming the field', async (_name, body, field, detail) => {
    const message = expectError(await post(body), 400, 'InvalidField', field);
    if (detail) expect(message).toMatch(detail);
    expect(iot.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('POST /caRegister refuses a CA the user brings that AWS IoT would refuse, with no write', () => {
  test('DEFAULT mode without a verification certificate -> 400 MissingField', async () => {
    const message = expectError(await post({ caCertificatePem: userCa.certificatePem }), 400, 'MissingField', 'verificationCertificatePem');
    expect(message).toMatch(/SNI_ONLY/);
    expect(iot.calls()).toHaveLength(0);
    expectNoWrites();
  });

  test('generate-only fields next to caCertificatePem -> 400 naming the field', async () => {
    expectError(await post({ caCertificatePem: userCa.certificatePem, verificationCertificatePem: userVerificationPem, validityDays: 10 }),
      400, 'InvalidField', 'validityDays');
    expectError(await post({ caCertificatePem: userCa.certificatePem, csrSubjects: { commonName: 'x' }, certificateMode: 'SNI_ONLY' }),
      400, 'InvalidField', 'csrSubjects');
    expect(iot.calls()).toHaveLength(0);
    expectNoWrites();
  });

  test('a leaf (non-CA) certificate -> 400 on caCertificatePem', async () => {
    const leaf = await issueDeviceCertificateWithNewKey(userCa.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'device-1' }, validityDays: 30 });
    expect(openssl.text(leaf.certificatePem)).toMatch(/CA:FALSE/);
    const message = expectError(await post({ caCertificatePem: leaf.certificatePem, certificateMode: 'SNI_ONLY' }), 400, 'InvalidField', 'caCertificatePem');
    expect(message).toMatch(/not a CA/);
    expect(iot.calls()).toHaveLength(0);
    expectNoWrites();
  });

  test('text that is not a PEM certificate, or a chain of two -> 400 on caCertificatePem', async () => {
    expectError(await post({ caCertificatePem: 'MIIB...', certificateMode: 'SNI_ONLY' }), 400, 'InvalidField', 'caCertificatePem');
    const other = await createCaCertificate({ subject: { commonName: 'Other CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    const message = expectError(await post({ caCertificatePem: userCa.certificatePem + other.certificatePem, certificateMode: 'SNI_ONLY' }),
      400, 'InvalidField', 'caCertificatePem');
    expect(message).toMatch(/2 PEM blocks/);
    expectError(await post({ caCertificatePem: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----', certificateMode: 'SNI_ONLY' }),
      400, 'InvalidField', 'caCertificatePem');
    expect(iot.calls()).toHaveLength(0);
    expectNoWrites();
  });

  test('a verification certificate whose CN is not the registration code -> 400, and the message gives the code', async () => {
    const wrongCode = (await createVerificationCertificate(userCa.authority, 'not-the-registration-code')).certificatePem;
    const message = expectError(await post({ caCertificatePem: userCa.certificatePem, verificationCertificatePem: wrongCode }),
      400, 'InvalidField', 'verificationCertificatePem');
    expect(message).toContain(REGISTRATION_CODE);
    expect(iot.commandCalls(GetRegistrationCodeCommand)).toHaveLength(1);
    expectNoWrites();
  });

  test('a verification certificate signed by another key (same CA name) -> 400', async () => {
    // An impostor CA with the very same subject: only the signature tells them apart.
    const impostor = await createCaCertificate({ subject: { commonName: 'User Root CA', organizationName: 'User Inc' }, keyAlgorithm: 'ECDSA-P256', validityDays: 365 });
    const forged = (await createVerificationCertificate(impostor.authority, REGISTRATION_CODE)).certificatePem;
    expect(openssl.verify(userCa.certificatePem, forged).status).not.toBe(0);

    const message = expectError(await post({ caCertificatePem: userCa.certificatePem, verificationCertificatePem: forged }),
      400, 'InvalidField', 'verificationCertificatePem');
    expect(message).toMatch(/not signed by the key of caCertificatePem/);
    expectNoWrites();
  });

  test('a verification certificate that is not a certificate -> 400 on verificationCertificatePem', async () => {
    expectError(await post({ caCertificatePem: userCa.certificatePem, verificationCertificatePem: 'hello' }),
      400, 'InvalidField', 'verificationCertificatePem');
    expectError(await post({
      caCertificatePem: userCa.certificatePem,
      verificationCertificatePem: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----',
    }), 400, 'InvalidField', 'verificationCertificatePem');
    expectNoWrites();
  });

  test('a CA that is already registered (DescribeCACertificate finds it) -> 409 CaAlreadyRegistered', async () => {
    iot.on(DescribeCACertificateCommand).resolves({ certificateDescription: { certificateId: userCa.certificateId, status: 'ACTIVE' } });

    const message = expectError(await post({ caCertificatePem: userCa.certificatePem, verificationCertificatePem: userVerificationPem }),
      409, 'CaAlreadyRegistered', 'caCertificatePem');
    expect(message).toContain(certificateIdOf(userCa.certificatePem));
    expect(iot.commandCalls(DescribeCACertificateCommand)[0].args[0].input).toEqual({ certificateId: userCa.certificateId });
    expectNoWrites();
  });

  test('SNI_ONLY with a verification certificate -> 400 on verificationCertificatePem', async () => {
    const message = expectError(await post({
      caCertificatePem: userCa.certificatePem,
      verificationCertificatePem: userVerificationPem,
      certificateMode: 'SNI_ONLY',
    }), 400, 'InvalidField', 'verificationCertificatePem');
    expect(message).toMatch(/SNI_ONLY/);
    expect(iot.calls()).toHaveLength(0);
    expectNoWrites();
  });
});
