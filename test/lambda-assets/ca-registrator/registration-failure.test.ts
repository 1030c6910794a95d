import {
  CertificateValidationException,
  GetRegistrationCodeCommand,
  InvalidRequestException,
  LimitExceededException,
  RegisterCACertificateCommand,
  ResourceAlreadyExistsException,
  ThrottlingException,
} from '@aws-sdk/client-iot';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  callLog,
  caRegisterEvent,
  parseResponse,
  REGISTRATION_CODE,
  REGISTRATOR_ENV,
  useRegistratorHarness,
} from './support';
import { createCaCertificate, createVerificationCertificate } from '../../../lambda-assets/shared/pki';


const harness = useRegistratorHarness((_iot, s3) => {
  s3.on(DeleteObjectsCommand).resolves({ Deleted: [] });
});
const { iot, s3 } = harness;

const metadata = { $metadata: { httpStatusCode: 400, requestId: 'req-1' } };

/** A server-side fault whose message and stack must never reach the caller. */
function internalFault(): Error {
  const error = new Error('connect ECONNREFUSED 10.0.0.12:443 while calling https://iot.eu-west-1.amazonaws.com');
  error.stack = `${error.message}\n    at TLSSocket.onConnect (/var/task/index.js:1:2345)\n    at process.processTicksAndRejections (node:internal)`;
  return error;
}

const FAILURES: [string, () => Error, number, string][] = [
  ['ResourceAlreadyExistsException', () => new ResourceAlreadyExistsException({ message: 'The CA certificate is already registered', resourceId: 'x', resourceArn: 'y', ...metadata }), 409, 'ResourceAlreadyExists'],
  ['InvalidRequestException', () => new InvalidRequestException({ message: 'Invalid request', ...metadata }), 400, 'InvalidRequest'],
  ['CertificateValidationException', () => new CertificateValidationException({ message: 'Verification certificate is not valid', ...metadata }), 400, 'CertificateValidation'],
  ['LimitExceededException', () => new LimitExceededException({ message: 'At most 10 CAs with one subject', ...metadata }), 409, 'LimitExceeded'],
  ['ThrottlingException', () => new ThrottlingException({ message: 'Rate exceeded', ...metadata }), 429, 'Throttled'],
  ['a generic Error', internalFault, 500, 'InternalError'],
];

/** The vault objects PutObject wrote, then DeleteObjects removed: they must be the same set. */
function expectVaultCleanedUp(expectedFiles: number) {
  const written = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key!).sort();
  expect(written).toHaveLength(expectedFiles);
  expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
  const deleteInput = s3.commandCalls(DeleteObjectsCommand)[0].args[0].input;
  expect(deleteInput.Bucket).toBe(REGISTRATOR_ENV.VAULT_BUCKET);
  expect(deleteInput.Delete!.Objects!.map((object) => object.Key!).sort()).toEqual(written);
}

function expectErrorBody(raw: string, statusCode: number, code: string, body: Record<string, unknown>) {
  expect(Object.keys(body)).toEqual(['error']);
  const error = body.error as { code: string; message: string };
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(raw).not.toMatch(/\bat \S+ \(|\/var\/task|node:internal|stack/);
  expect(raw).not.toMatch(/PRIVATE KEY/);
  if (statusCode === 500) {
    // Our own fault: no detail at all (the log has it).
    expect(raw).not.toContain('ECONNREFUSED');
    expect(raw).not.toContain('10.0.0.12');
  }
}

describe('POST /caRegister when RegisterCACertificate fails', () => {
  test.each(FAILURES)('generated CA, %s -> %i, and every vault file written is deleted again', async (_name, makeError, statusCode, code) => {
    iot.on(RegisterCACertificateCommand).rejects(makeError());

    const response = parseResponse(await harness.handler(caRegisterEvent({ verifierName: 'acme-verifier' })));

    expect(response.statusCode).toBe(statusCode);
    expectErrorBody(response.raw, statusCode, code, response.body);
    expectVaultCleanedUp(5);
    const caId = s3.commandCalls(PutObjectCommand)[0].args[0].input.Key!.split('/')[1];
    expect(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input.Delete!.Objects!.map((object) => object.Key)).toContain(
      `ca-vault/${caId}/ca.private_key.pem`);
    expect(callLog(iot, s3)).toEqual([
      'GetRegistrationCode',
      'PutObject', 'PutObject', 'PutObject', 'PutObject', 'PutObject',
      'RegisterCACertificate',
      'DeleteObjects',
    ]);
    const logged = harness.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'CA registration failed; vault files removed', caCertificateId: caId }));
    expect(harness.logs.lines.join('')).not.toMatch(/PRIVATE KEY/);
  });

  test.each(FAILURES)('imported CA, %s -> %i, and the three vault files are deleted again', async (_name, makeError, statusCode, code) => {
    const ca = await createCaCertificate({ subject: { commonName: 'User CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    const verificationPem = (await createVerificationCertificate(ca.authority, REGISTRATION_CODE)).certificatePem;
    iot.on(RegisterCACertificateCommand).rejects(makeError());

    const body = { caCertificatePem: ca.certificatePem, verificationCertificatePem: verificationPem };
    const response = parseResponse(await harness.handler(caRegisterEvent(body)));

    expect(response.statusCode).toBe(statusCode);
    expectErrorBody(response.raw, statusCode, code, response.body);
    expectVaultCleanedUp(3);
    expect(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input.Delete!.Objects!.map((object) => object.Key).sort()).toEqual([
      `ca-vault/${ca.certificateId}/ca.cert.pem`,
      `ca-vault/${ca.certificateId}/ca.json`,
      `ca-vault/${ca.certificateId}/verification.cert.pem`,
    ]);
  });

  test('an AWS refusal passes AWS\'s message on; an internal fault says only that it failed', async () => {
    iot.on(RegisterCACertificateCommand).rejectsOnce(new CertificateValidationException({ message: 'The certificate is not a valid CA', ...metadata }));
    const refused = parseResponse(await harness.handler(caRegisterEvent({})));
    expect(refused.body).toEqual({ error: { code: 'CertificateValidation', message: 'The certificate is not a valid CA' } });

    iot.on(RegisterCACertificateCommand).rejectsOnce(internalFault());
    const failed = parseResponse(await harness.handler(caRegisterEvent({})));
    expect(failed.body).toEqual({ error: { code: 'InternalError', message: expect.stringMatching(/failed on our side/) } });
  });

  test('GetRegistrationCode failing (throttled) fails the request before anything is written', async () => {
    iot.on(GetRegistrationCodeCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', ...metadata }));

    const response = parseResponse(await harness.handler(caRegisterEvent({})));

    expect(response.statusCode).toBe(429);
    expect(s3.calls()).toHaveLength(0);
    expect(iot.commandCalls(RegisterCACertificateCommand)).toHaveLength(0);
  });

  test('GetRegistrationCode answering no code is our fault (500) and nothing is written', async () => {
    iot.on(GetRegistrationCodeCommand).resolves({});

    const response = parseResponse(await harness.handler(caRegisterEvent({})));

    expect(response.statusCode).toBe(500);
    expect(s3.calls()).toHaveLength(0);
  });

  // The files already written (ca.cert.pem and ca.private_key.pem of a CA that is never registered)
  // must not stay in the vault when a later PutObject fails.
  test('a PutObject failing halfway leaves no vault file behind', async () => {
    iot.on(RegisterCACertificateCommand).resolves({ certificateId: 'x', certificateArn: 'y' });
    s3.on(PutObjectCommand).resolvesOnce({}).resolvesOnce({}).rejects(new Error('S3 is unavailable'));

    const response = parseResponse(await harness.handler(caRegisterEvent({})));

    expect(response.statusCode).toBe(500);
    expect(iot.commandCalls(RegisterCACertificateCommand)).toHaveLength(0);
    const written = s3.commandCalls(PutObjectCommand).slice(0, 2).map((call) => call.args[0].input.Key!);
    expect(written[1]).toMatch(/ca\.private_key\.pem$/);
    expect(s3.commandCalls(DeleteObjectsCommand).flatMap((call) => call.args[0].input.Delete!.Objects!.map((object) => object.Key))).toEqual(
      expect.arrayContaining(written));
  });

  // When the clean-up DeleteObjects itself fails, AWS's refusal (409) must still be what the caller sees.
  test('a failing clean-up does not hide why the registration failed', async () => {
    iot.on(RegisterCACertificateCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', resourceId: 'x', resourceArn: 'y', ...metadata }));
    s3.on(DeleteObjectsCommand).rejects(new Error('S3 is unavailable'));

    const response = parseResponse(await harness.handler(caRegisterEvent({})));

    expect(response.statusCode).toBe(409);
  });
});

describe('POST /caRegister with subject text the PKI refuses', () => {
  // The PKI refuses C1 controls (U+0080-U+009F) and lone surrogates: the request check must refuse
  // them too, with a 400 naming the field, rather than let the PKI fail with a 500.
  test.each([
    ['a C1 control character', 'Acme\u0085CA'],
    ['a lone surrogate', 'Acme\ud800CA'],
  ])('csrSubjects.commonName with %s -> 400 naming the field', async (_name, commonName) => {
    const response = parseResponse(await harness.handler(caRegisterEvent({ csrSubjects: { commonName } })));

    expect(response.statusCode).toBe(400);
    expect((response.body.error as { message: string }).message).toMatch(/^csrSubjects\.commonName: /);
  });

  test('nothing is written for such a subject', async () => {
    const response = parseResponse(await harness.handler(caRegisterEvent({ csrSubjects: { commonName: 'Acme\u0085CA' } })));

    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(iot.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});
