/**
 * `device cert --kms-key` in process, AWS KMS mocked with aws-sdk-client-mock: the option checks,
 * the refusal of keys that are not the CA's, and how KMS errors become exit codes and hints. The
 * mocked Sign signs with a real key as KMS does (local/runner/kms), so the happy path issues a
 * certificate that verifies with the CA's public key.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, KMSServiceException, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { EXIT } from '../../../cli/src/exit-codes';
import { main } from '../../../cli/src/main';
import { kmsSigner } from '../../../lambda-assets/shared/kms/kms-ca-key';
import { createCaCertificate, createSelfSignedCa } from '../../../lambda-assets/shared/pki';
import { generateAsymmetricKey, signWithKey, type AsymmetricKeyMaterial, type MessageType } from '../../../local/runner/kms/asymmetric-key';

const REGION = 'eu-central-1';
const KEY_ARN = `arn:aws:kms:${REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const kms = mockClient(KMSClient);
const work = mkdtempSync(join(tmpdir(), 'cli-kms-unit-'));
let key: AsymmetricKeyMaterial;
let caFile: string;
let stdout: string;
let stderr: string;

function serviceError(name: string, fault: 'client' | 'server' = 'client'): KMSServiceException {
  return new KMSServiceException({ name, message: `${name} from KMS`, $fault: fault, $metadata: { httpStatusCode: fault === 'client' ? 400 : 500 } });
}

/** KMS's GetPublicKey answer for `material`, and a Sign that signs as KMS does. */
function kmsHolds(material: AsymmetricKeyMaterial, answer: Record<string, unknown> = {}): void {
  kms.on(GetPublicKeyCommand).resolves({
    KeyId: KEY_ARN, PublicKey: material.publicKeyDer, KeySpec: material.spec as never, KeyUsage: 'SIGN_VERIFY', ...answer,
  });
  kms.on(SignCommand).callsFake((input: SignCommandInput) => ({
    KeyId: KEY_ARN,
    SigningAlgorithm: input.SigningAlgorithm,
    Signature: signWithKey(material, input.SigningAlgorithm!, Buffer.from(input.Message!), input.MessageType as MessageType ?? 'RAW'),
  }));
}

async function cli(...args: string[]): Promise<{ code: number; error?: { message: string; hint?: string; exitCode: number }; result?: any }> {
  stdout = '';
  stderr = '';
  const code = await main(['device', 'cert', ...args, '--region', REGION, '--json', '--out-dir', join(work, `out-${Math.random()}`)]);
  const document = stdout ? JSON.parse(stdout) : undefined;
  return { code, error: document?.error, result: document?.error ? undefined : document };
}

beforeAll(async () => {
  key = await generateAsymmetricKey('ECC_NIST_P256');
  // The CA certificate is self-signed through the same (mocked) KMS: the PKI's external-signer path.
  kmsHolds(key);
  const signer = kmsSigner(new KMSClient({ region: REGION }), { keyArn: KEY_ARN, keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256' });
  const ca = await createSelfSignedCa({ subject: { commonName: 'Unit KMS CA' }, validityDays: 30, subjectPublicKeyInfo: key.publicKeyDer, signer });
  caFile = join(work, 'ca.cert.pem');
  writeFileSync(caFile, ca.certificatePem);
});

beforeEach(() => {
  kms.reset();
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('options', () => {
  test.each([
    [['--ca-cert', 'ca.pem', '--kms-key', KEY_ARN, '--ca-key', 'ca.key.pem'], '--kms-key and --ca-key exclude each other'],
    [['--kms-key', KEY_ARN, '--api', 'https://abc.execute-api.eu-central-1.amazonaws.com/prod'], '--kms-key and --api exclude each other'],
    [['--kms-key', KEY_ARN], '--ca-cert is required with --kms-key'],
    [['--ca-cert', 'ca.pem', '--kms-key', 'not a key'], '--kms-key: "not a key" is not a KMS key id'],
  ])('%j is a usage error naming the option (exit 2), before any call to KMS', async (args, message) => {
    const run = await cli('--common-name', 'device-1', ...args);
    expect(run).toMatchObject({ code: EXIT.USAGE, error: { message: expect.stringContaining(message) } });
    expect(kms.calls()).toHaveLength(0);
  });

  test('a missing subject is a usage error before any call to KMS', async () => {
    expect(await cli('--ca-cert', caFile, '--kms-key', KEY_ARN)).toMatchObject({ code: EXIT.USAGE, error: { message: expect.stringContaining('a subject is required') } });
    expect(kms.calls()).toHaveLength(0);
  });

  test('a key ARN in another Region than --region is a usage error', async () => {
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN.replace(REGION, 'us-west-2'), '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.USAGE, error: { message: `--kms-key names a key in us-west-2, but --region is ${REGION}` } });
    expect(kms.calls()).toHaveLength(0);
  });

  test('a --ca-cert that is not a CA certificate is a file error (exit 3)', async () => {
    const leaf = await createCaCertificate({ subject: { commonName: 'x' }, keyAlgorithm: 'ECDSA-P256', validityDays: 1 });
    const notPem = join(work, 'not-a-cert.pem');
    writeFileSync(notPem, leaf.privateKeyPem);
    const run = await cli('--ca-cert', notPem, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.FILE, error: { message: expect.stringContaining(`--ca-cert ${notPem}`) } });
    expect(kms.calls()).toHaveLength(0);
  });
});

test('signs through KMS Sign: a DIGEST with the key spec\'s algorithm, for the key ARN GetPublicKey answered; the certificate verifies with the CA key', async () => {
  kmsHolds(key);
  const run = await cli('--ca-cert', caFile, '--kms-key', 'alias/factory-ca', '--common-name', 'device-1');
  expect(run).toMatchObject({ code: EXIT.OK, result: { kmsKeyArn: KEY_ARN, subject: 'CN=device-1', privateKeyFile: expect.stringMatching(/device-1\.key\.pem$/) } });
  expect(kms.commandCalls(GetPublicKeyCommand)[0].args[0].input).toEqual({ KeyId: 'alias/factory-ca' });
  const [sign] = kms.commandCalls(SignCommand);
  expect(sign.args[0].input).toMatchObject({ KeyId: KEY_ARN, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
  expect(sign.args[0].input.Message).toHaveLength(32);
  const certificate = new X509Certificate(readFileSync(run.result.certificateFile));
  const ca = new X509Certificate(readFileSync(caFile));
  expect(certificate.verify(ca.publicKey)).toBe(true);
  expect(certificate.checkIssued(ca)).toBe(true);
});

describe('keys that are not the CA\'s are refused before anything is signed (exit 2)', () => {
  test('another key\'s public key', async () => {
    kmsHolds(await generateAsymmetricKey('ECC_NIST_P256'));
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.USAGE, error: { message: `--kms-key ${KEY_ARN} is not the key of --ca-cert ${caFile}: their public keys differ` } });
    expect(kms.commandCalls(SignCommand)).toHaveLength(0);
  });

  test.each([
    [{ KeyUsage: 'ENCRYPT_DECRYPT' }, 'is not a CA key: its KeyUsage is ENCRYPT_DECRYPT'],
    [{ KeySpec: 'ECC_SECG_P256K1' }, 'is not a CA key: its KeySpec is ECC_SECG_P256K1'],
    [{ KeySpec: 'ECC_NIST_P521' }, 'is not a CA key: its KeySpec is ECC_NIST_P521'],
  ])('GetPublicKey answers %j', async (answer, message) => {
    kmsHolds(key, answer);
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.USAGE, error: { message: `--kms-key ${KEY_ARN} ${message}`, hint: expect.stringContaining('SIGN_VERIFY') } });
    expect(kms.commandCalls(SignCommand)).toHaveLength(0);
  });

  test('a symmetric key (GetPublicKey: UnsupportedOperationException)', async () => {
    kms.on(GetPublicKeyCommand).rejects(serviceError('UnsupportedOperationException'));
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.USAGE, error: { message: `--kms-key ${KEY_ARN} is not a CA key: it is a symmetric key, with no public key` } });
  });
});

describe('KMS refusals: exit 5 with what to do; unreachable or unconfigured: exit 4', () => {
  test.each([
    ['AccessDeniedException', /caKeySigners/],
    ['NotFoundException', /Region/],
    ['DisabledException', /enable-key/],
    ['KMSInvalidStateException', /cancel-key-deletion/],
    ['ThrottlingException', /even after the SDK's retries/],
  ])('GetPublicKey: %s', async (name, hint) => {
    kms.on(GetPublicKeyCommand).rejects(serviceError(name));
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.REFUSED, error: { message: `AWS KMS refused GetPublicKey: ${name}: ${name} from KMS`, hint: expect.stringMatching(hint) } });
  });

  test('Sign denied: the caller is not one of the key policy\'s signers', async () => {
    kmsHolds(key);
    kms.on(SignCommand).rejects(serviceError('AccessDeniedException'));
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.REFUSED, error: { message: expect.stringMatching(/^AWS KMS refused Sign: AccessDeniedException/), hint: expect.stringMatching(/caKeySigners/) } });
  });

  test.each([
    ['DisabledException', 'AWS KMS refused Sign: the key ' + KEY_ARN + ' is disabled, pending deletion or deleted', /enable-key/],
    ['KMSInvalidStateException', 'AWS KMS refused Sign: the key ' + KEY_ARN + ' is disabled, pending deletion or deleted', /cancel-key-deletion/],
    ['ThrottlingException', 'AWS KMS refused Sign: throttled', /even after the SDK's retries/],
  ])('Sign: %s (as the PKI\'s KMS signer reports it)', async (name, message, hint) => {
    kmsHolds(key);
    kms.on(SignCommand).rejects(serviceError(name));
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.REFUSED, error: { message, hint: expect.stringMatching(hint) } });
    expect(run.error!.message).not.toMatch(/caCertificateId/);
  });

  test('a KMS server fault is a failure to retry (exit 1)', async () => {
    kms.on(GetPublicKeyCommand).rejects(serviceError('KMSInternalException', 'server'));
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1');
    expect(run).toMatchObject({ code: EXIT.FAILURE, error: { message: expect.stringMatching(/^AWS KMS failed GetPublicKey/) } });
  });

  test('an endpoint that does not answer names AWS_ENDPOINT_URL_KMS (exit 4)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    kms.on(GetPublicKeyCommand).rejects(Object.assign(new Error('fetch failed'), { cause: refused }));
    const run = await cli('--ca-cert', caFile, '--kms-key', KEY_ARN, '--common-name', 'device-1', '--endpoint-url', 'http://127.0.0.1:9');
    expect(run).toMatchObject({
      code: EXIT.AWS_CONFIG,
      error: { message: 'GetPublicKey: cannot reach http://127.0.0.1:9 (ECONNREFUSED)', hint: expect.stringContaining('AWS_ENDPOINT_URL_KMS') },
    });
  });
});

test('--help shows the KMS way', async () => {
  stdout = '';
  expect(await main(['device', 'cert', '--help'])).toBe(EXIT.OK);
  expect(stdout).toContain('--kms-key KEY_ID|KEY_ARN|alias/NAME');
  expect(stdout).toContain('AWS_ENDPOINT_URL_KMS');
});
