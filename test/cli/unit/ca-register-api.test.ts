/**
 * `ca register --api` in process against a small HTTP server standing in for a stack's
 * /caRegister: what the CLI prints of the answer (text and --json) for a CA whose key is in KMS,
 * in the vault, or the caller's own, and the next step it suggests for a KMS CA.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../../cli/src/exit-codes';
import { main } from '../../../cli/src/main';
import { createCaCertificate } from '../../../lambda-assets/shared/pki';

const KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CA_ID = 'c'.repeat(64);
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIAUNITTEST', AWS_SECRET_ACCESS_KEY: 'unit-test-secret', AWS_PROFILE: undefined, AWS_SESSION_TOKEN: undefined };

/** What the stand-in answers next, and what it was sent. */
let answer: Record<string, unknown>;
let received: { path?: string; authorization?: string; body?: Record<string, unknown> };
let server: Server;
let apiUrl: string;
let stdout: string;
const savedEnv: Record<string, string | undefined> = {};
const work = mkdtempSync(join(tmpdir(), 'cli-ca-register-unit-'));

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => { text += String(chunk); });
    request.on('end', () => resolve(text));
  });
}

function stackAnswer(custody: Record<string, unknown>): Record<string, unknown> {
  return { caCertificateId: CA_ID, caCertificateArn: `arn:aws:iot:eu-central-1:123456789012:cacert/${CA_ID}`, caCertificatePem: CA_PEM, ...custody };
}

async function register(...args: string[]): Promise<number> {
  stdout = '';
  return main(['ca', 'register', '--api', apiUrl, '--region', 'eu-central-1', '--quiet', ...args]);
}

beforeAll(async () => {
  for (const [name, value] of Object.entries(AWS_ENV)) {
    savedEnv[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  server = createServer(async (request, response) => {
    const text = await readBody(request);
    received = { path: request.url, authorization: request.headers.authorization, body: JSON.parse(text) };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/caRegister`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  received = {};
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => jest.restoreAllMocks());

describe('a CA the stack makes with its key in KMS', () => {
  beforeEach(() => {
    answer = stackAnswer({ keyStorage: 'KMS', kmsKeyArn: KEY_ARN });
  });

  test('--json carries keyStorage and kmsKeyArn beside the certificate', async () => {
    expect(await register('--common-name', 'Factory CA', '--verifier', 'allowList', '--json')).toBe(EXIT.OK);
    expect(received.path).toBe('/prod/caRegister');
    expect(received.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAUNITTEST\/\d{8}\/eu-central-1\/execute-api\//);
    expect(received.body).toMatchObject({ certificateMode: 'DEFAULT', verifierName: 'allowList', csrSubjects: { commonName: 'Factory CA' } });
    expect(JSON.parse(stdout)).toEqual({
      caCertificateId: CA_ID,
      caCertificateArn: `arn:aws:iot:eu-central-1:123456789012:cacert/${CA_ID}`,
      certificateMode: 'DEFAULT',
      verifierName: 'allowList',
      keyStorage: 'KMS',
      kmsKeyArn: KEY_ARN,
      caCertificatePem: CA_PEM,
      registeredThrough: apiUrl,
    });
  });

  test('text: the key ARN, and a next step that signs device certificates with it through device cert --kms-key', async () => {
    expect(await register()).toBe(EXIT.OK);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`CA ${CA_ID} registered (through ${apiUrl})`);
    expect(lines).toContain('  keyStorage: KMS');
    expect(lines).toContain(`  kmsKeyArn: ${KEY_ARN}`);
    expect(stdout).toMatch(/^next \(JITR\): save caCertificatePem \(--json\) as ca\.cert\.pem, then, as one of the stack's caKeySigners roles:$/m);
    expect(stdout).toContain(`cdk-iot-security-cli device cert --ca-cert ca.cert.pem --kms-key ${KEY_ARN} --common-name <device>`);
    expect(stdout).toContain(`device cert --api <its URL> --ca-certificate-id ${CA_ID}`);
    expect(stdout).not.toMatch(/BEGIN CERTIFICATE/);
  });
});

test('a CA the stack makes with its key in the vault: keyStorage VAULT, no key ARN, no KMS next step', async () => {
  answer = stackAnswer({ keyStorage: 'VAULT' });
  expect(await register()).toBe(EXIT.OK);
  expect(stdout).toMatch(/^ {2}keyStorage: VAULT$/m);
  expect(stdout).not.toMatch(/kmsKeyArn|--kms-key|next/);
  expect(await register('--json')).toBe(EXIT.OK);
  const printed = JSON.parse(stdout);
  expect(printed.keyStorage).toBe('VAULT');
  expect(printed).not.toHaveProperty('kmsKeyArn');
});

test('your own CA (--ca-cert, SNI_ONLY): only its certificate is sent; keyStorage NONE, no key ARN', async () => {
  const ca = await createCaCertificate({ subject: { commonName: 'Own CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
  const caFile = join(work, 'own.cert.pem');
  writeFileSync(caFile, ca.certificatePem);
  answer = stackAnswer({ keyStorage: 'NONE', caCertificatePem: ca.certificatePem });
  expect(await register('--ca-cert', caFile, '--mode', 'SNI_ONLY', '--json')).toBe(EXIT.OK);
  expect(received.body).toEqual({ certificateMode: 'SNI_ONLY', caCertificatePem: ca.certificatePem });
  const printed = JSON.parse(stdout);
  expect(printed).toMatchObject({ keyStorage: 'NONE', certificateMode: 'SNI_ONLY' });
  expect(printed).not.toHaveProperty('kmsKeyArn');
});
