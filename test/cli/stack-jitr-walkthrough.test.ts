/**
 * The JITR walkthrough, run as a user runs it: cdk-iot-security-cli in its own process against the
 * synthesized JitrDemo stack on the local cloud's stack runner (its API, vault, verifier and
 * activator; nothing of ours mocked). A factory CA made with `ca create` is registered through the
 * stack's /caRegister (its key never leaves the factory), a device certificate from it passes
 * `openssl verify`, and `device connect` gets in once the stack has activated it. The stack-made
 * CA, a device the verifier rejects, and the API's refusals complete the picture.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeCertificateCommand, DescribeThingCommand, ListCACertificatesCommand, ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { describeRun, jsonOf } from './support/stack-cli-process';
import { expectExit, opensslVerify, permissions, startStackCloud, type StackCloud } from './support/stack-local-cloud';
import { EXIT } from '../../cli/src/exit-codes';
import { synthesizeJitrDemo } from '../demo/support/jitr-demo-assembly';

jest.setTimeout(120_000);

const STACK = 'JitrDemo';
/** demo/jitr/app.ts: the verifier is named allowList and admits common names starting demo-device-. */
const VERIFIER = 'allowList';
const DEVICE = 'demo-device-walkthrough';
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

let cdkOut: string;
let cloud: StackCloud;
let caRegisterUrl: string;

beforeAll(async () => {
  cdkOut = synthesizeJitrDemo();
  cloud = await startStackCloud(cdkOut, 'jitr');
  caRegisterUrl = cloud.localUrl(STACK, 'CaRegisterUrl');
}, 180_000);

afterAll(async () => {
  await cloud?.close();
  if (cdkOut) rmSync(cdkOut, { recursive: true, force: true });
});

function certificatesIn(path: string): string[] {
  return readFileSync(path, 'utf8').match(PEM_CERTIFICATE) ?? [];
}

async function registeredCaIds(): Promise<string[]> {
  const { certificates } = await cloud.iot.send(new ListCACertificatesCommand({ pageSize: 250 }));
  return (certificates ?? []).map((ca) => ca.certificateId!).sort();
}

/** `ca create` into a new directory: the factory's CA, as a user makes it. */
async function createCa(directory: string, commonName: string): Promise<{ id: string; cert: string; key: string }> {
  const created = jsonOf(expectExit(await cloud.cli(['ca', 'create', '--key-algorithm', 'ECDSA-P256', '--common-name', commonName,
    '--out-dir', cloud.directory(directory), '--json']), EXIT.OK));
  return { id: created.certificateId, cert: created.certificateFile, key: created.privateKeyFile };
}

describe('the walkthrough: ca create -> ca register --api -> ca list -> device cert -> openssl verify -> device connect', () => {
  let ca: { id: string; cert: string; key: string };
  let device: { certificateId: string; certificateFile: string; chainFile: string; privateKeyFile: string };

  test('ca create: an ECDSA P-256 CA, its key readable by the owner alone', async () => {
    const run = expectExit(await cloud.cli(['ca', 'create', '--key-algorithm', 'ECDSA-P256', '--common-name', 'Walkthrough Factory CA',
      '--out-dir', 'factory', '--json']), EXIT.OK);
    const created = jsonOf(run);
    ca = { id: created.certificateId, cert: created.certificateFile, key: created.privateKeyFile };
    expect(created).toMatchObject({
      certificateId: expect.stringMatching(/^[0-9a-f]{64}$/),
      certificateFile: join(cloud.work, 'factory', 'ca.cert.pem'),
      privateKeyFile: join(cloud.work, 'factory', 'ca.key.pem'),
      subject: expect.stringContaining('Walkthrough Factory CA'),
      keyAlgorithm: 'ECDSA-P256',
    });
    expect(permissions(ca.key)).toBe('600');
    expect(readFileSync(ca.key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // Self-signed: it verifies against itself.
    await expect(opensslVerify(ca.cert, ca.cert)).resolves.toMatch(/: OK$/);
  });

  test('ca register --api <CaRegisterUrl> --ca-cert --ca-key --verifier: registered, and the CA key never reached the stack', async () => {
    const run = expectExit(await cloud.cli(['ca', 'register', '--api', caRegisterUrl, '--ca-cert', ca.cert, '--ca-key', ca.key,
      '--verifier', VERIFIER, '--json']), EXIT.OK);
    expect(jsonOf(run)).toMatchObject({
      caCertificateId: ca.id,
      caCertificateArn: expect.stringMatching(new RegExp(`:cacert/${ca.id}$`)),
      certificateMode: 'DEFAULT',
      verifierName: VERIFIER,
      registeredThrough: caRegisterUrl,
    });
    // The vault keeps what the stack was sent: the certificate and the verification certificate, no key.
    const stored = await cloud.vaultKeys(ca.id);
    expect(stored).toEqual(expect.arrayContaining(['ca.cert.pem', 'verification.cert.pem', 'ca.json']));
    expect(stored.filter((key) => /key/i.test(key))).toEqual([]);
  });

  test('ca list --json: ACTIVE, auto-registration ENABLE', async () => {
    const listed = jsonOf(expectExit(await cloud.cli(['ca', 'list', '--json']), EXIT.OK));
    expect(listed.caCertificates).toContainEqual(expect.objectContaining({
      caCertificateId: ca.id,
      status: 'ACTIVE',
      certificateMode: 'DEFAULT',
      autoRegistrationStatus: 'ENABLE',
    }));
  });

  test('device cert from the local CA, for a name the verifier admits; openssl verify says OK', async () => {
    const run = expectExit(await cloud.cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--common-name', DEVICE,
      '--out-dir', 'devices', '--json']), EXIT.OK);
    device = jsonOf(run);
    expect(device).toMatchObject({
      certificateId: expect.stringMatching(/^[0-9a-f]{64}$/),
      certificateFile: join(cloud.work, 'devices', `${DEVICE}.cert.pem`),
      chainFile: join(cloud.work, 'devices', `${DEVICE}.chain.pem`),
      privateKeyFile: join(cloud.work, 'devices', `${DEVICE}.key.pem`),
      rootCaFile: null,
      subject: expect.stringContaining(DEVICE),
    });
    expect(permissions(device.privateKeyFile)).toBe('600');
    expect(certificatesIn(device.chainFile)).toEqual([...certificatesIn(device.certificateFile), ...certificatesIn(ca.cert)]);
    await expect(opensslVerify(ca.cert, device.certificateFile)).resolves.toBe(`${device.certificateFile}: OK`);
  });

  test('device connect: the first connect registers it, the stack\'s activator activates it, a retry gets in and publishes', async () => {
    const run = await cloud.cli(['device', 'connect', '--cert', device.chainFile, '--key', device.privateKeyFile,
      '--root-ca', cloud.serverCaFile, '--base-delay-ms', '300', '--receive', '--json']);
    if (run.code !== EXIT.OK) throw new Error(`${describeRun(run)}\nthe stack: ${cloud.explain(`$aws/events/certificates/registered/${ca.id}`)}`);
    const connected = jsonOf(run);
    expect(connected).toMatchObject({
      clientId: DEVICE,
      // No --endpoint: DescribeEndpoint iot:Data-ATS of the configured account answered the local gateway.
      endpoint: `localhost:${cloud.runner.cloud.mqtt.port}`,
      topic: `things/${DEVICE}/hello`,
      published: true,
      received: true,
    });
    expect(connected.attempts).toBeGreaterThanOrEqual(2);
    expect(connected.onboardingMs).toBeGreaterThan(0);
    expect(connected.totalMs).toBeGreaterThanOrEqual(connected.onboardingMs);
    expect(run.stderr).toMatch(/endpoint \(DescribeEndpoint iot:Data-ATS\): localhost:\d+/);
    expect(run.stderr).toMatch(/attempt 1\/8: failed/);
    expect(run.stderr).toMatch(/received its own message/);
  });

  test('the registry: the thing, bound to the device\'s ACTIVE certificate', async () => {
    const thing = await cloud.iot.send(new DescribeThingCommand({ thingName: DEVICE }));
    const { certificateDescription: certificate } = await cloud.iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    const { principals } = await cloud.iot.send(new ListThingPrincipalsCommand({ thingName: DEVICE }));
    expect(thing.thingName).toBe(DEVICE);
    // demo/jitr/app.ts's verifier hands the serial number over as a thing attribute.
    expect(thing.attributes?.serial).toMatch(/^[0-9a-f]+$/i);
    expect(certificate).toMatchObject({ status: 'ACTIVE', caCertificateId: ca.id });
    expect(principals).toEqual([certificate!.certificateArn]);
  });
});

test('ca register --api without --ca-cert: the stack makes the CA and keeps its key in its vault', async () => {
  const run = expectExit(await cloud.cli(['ca', 'register', '--api', caRegisterUrl, '--subject', '/O=cdk-iot-security/CN=CLI Stack-made CA',
    '--verifier', VERIFIER, '--json']), EXIT.OK);
  const registered = jsonOf(run);
  expect(registered).toMatchObject({
    caCertificateId: expect.stringMatching(/^[0-9a-f]{64}$/),
    caCertificatePem: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/),
    certificateMode: 'DEFAULT',
    verifierName: VERIFIER,
    keyStorage: 'VAULT',
  });
  expect(registered).not.toHaveProperty('kmsKeyArn');
  // The key is the stack's: in its vault, and nowhere in what the CLI printed.
  expect(run.stdout + run.stderr).not.toMatch(/PRIVATE KEY/);
  expect(await cloud.vaultKeys(registered.caCertificateId)).toEqual(expect.arrayContaining(['ca.cert.pem', 'ca.private_key.pem']));
  const listed = jsonOf(expectExit(await cloud.cli(['ca', 'list', '--json']), EXIT.OK));
  expect(listed.caCertificates).toContainEqual(expect.objectContaining({
    caCertificateId: registered.caCertificateId, status: 'ACTIVE', autoRegistrationStatus: 'ENABLE',
  }));
});

test('without --json: one line per fact on stdout, progress on stderr', async () => {
  const ca = await createCa('human', 'CLI Human-output CA');
  const run = expectExit(await cloud.cli(['ca', 'register', '--api', caRegisterUrl, '--ca-cert', ca.cert, '--ca-key', ca.key]), EXIT.OK);
  expect(run.stdout.split('\n')[0]).toBe(`CA ${ca.id} registered (through ${caRegisterUrl})`);
  expect(run.stdout).toMatch(/^ {2}certificateMode: DEFAULT$/m);
  expect(run.stdout).not.toMatch(/BEGIN CERTIFICATE/);
});

test('a device the verifier rejects: device connect gives up with exit 6, and the stack revoked its certificate', async () => {
  const ca = await createCa('reject-ca', 'CLI Reject Test CA');
  expectExit(await cloud.cli(['ca', 'register', '--api', caRegisterUrl, '--ca-cert', ca.cert, '--ca-key', ca.key, '--verifier', VERIFIER]), EXIT.OK);
  const intruder = jsonOf(expectExit(await cloud.cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--common-name', 'intruder-1',
    '--out-dir', 'intruder', '--json']), EXIT.OK));
  // The certificate itself is sound: it is the verifier that keeps the device out.
  await expect(opensslVerify(ca.cert, intruder.certificateFile)).resolves.toMatch(/: OK$/);

  const run = expectExit(await cloud.cli(['device', 'connect', '--cert', intruder.chainFile, '--key', intruder.privateKeyFile,
    '--root-ca', cloud.serverCaFile, '--max-attempts', '3', '--base-delay-ms', '300']), EXIT.DEVICE);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/error: intruder-1 could not connect: gave up after 3 attempts/);
  expect(run.stderr).toMatch(/its verifier/);

  await cloud.runner.settled(10_000);
  const { certificateDescription } = await cloud.iot.send(new DescribeCertificateCommand({ certificateId: intruder.certificateId }));
  expect(certificateDescription?.status).toBe('REVOKED');
  await expect(cloud.iot.send(new DescribeThingCommand({ thingName: 'intruder-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

describe('refusals through the API exit 5 and change nothing', () => {
  test.each([
    ['an unknown access key', { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }],
    ['a wrong secret key', { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }],
  ])('%s: 403 from /caRegister', async (_what, credentials) => {
    const casBefore = await registeredCaIds();
    const vaultBefore = await cloud.vaultKeys();
    const run = await cloud.cli(['ca', 'register', '--api', caRegisterUrl, '--common-name', 'CLI Refused CA', '--json'], credentials);
    expectExit(run, EXIT.REFUSED);
    expect(run.stderr).toMatch(/error: POST \/caRegister was refused \(403: /);
    expect(run.stderr).toMatch(/execute-api:Invoke/);
    expect(jsonOf(run)).toEqual({ error: expect.objectContaining({ exitCode: EXIT.REFUSED, message: expect.stringContaining('403') }) });
    expect(await registeredCaIds()).toEqual(casBefore);
    expect(await cloud.vaultKeys()).toEqual(vaultBefore);
  });

  test('with --ca-cert, wrong credentials are caught earlier, by GetRegistrationCode: exit 4 (AWS not reachable as configured)', async () => {
    const ca = await createCa('wrong-credentials', 'CLI Wrong Credentials CA');
    const casBefore = await registeredCaIds();
    const vaultBefore = await cloud.vaultKeys();
    const run = await cloud.cli(['ca', 'register', '--api', caRegisterUrl, '--ca-cert', ca.cert, '--ca-key', ca.key],
      { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    expectExit(run, EXIT.AWS_CONFIG);
    expect(run.stderr).toMatch(/error: GetRegistrationCode: the credentials were refused/);
    expect(await registeredCaIds()).toEqual(casBefore);
    expect(await cloud.vaultKeys()).toEqual(vaultBefore);
  });

  test('--verifier naming no verifier of the stack: 400 naming verifierName', async () => {
    const ca = await createCa('bad-verifier', 'CLI Bad Verifier CA');
    const casBefore = await registeredCaIds();
    const vaultBefore = await cloud.vaultKeys();
    const run = await cloud.cli(['ca', 'register', '--api', caRegisterUrl, '--ca-cert', ca.cert, '--ca-key', ca.key, '--verifier', 'noSuchVerifier']);
    expectExit(run, EXIT.REFUSED);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/POST \/caRegister answered 400: \w+: verifierName: unknown verifier 'noSuchVerifier'; known verifiers: allowList/);
    expect(await registeredCaIds()).toEqual(casBefore);
    expect(casBefore).not.toContain(ca.id);
    expect(await cloud.vaultKeys()).toEqual(vaultBefore);
  });
});
