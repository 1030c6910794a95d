import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateProvisioningTemplateCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListCACertificatesCommand,
  ListTagsForResourceCommand,
  ListThingPrincipalsCommand,
  type DescribeCACertificateCommandOutput,
} from '@aws-sdk/client-iot';
import { cliEnv, ensureCliBundle, openssl, runCli, type CliOptions, type CliResult } from './support/run-cli';
import { defaultDevicePolicyDocument } from '../../demo/shared/default-device-policy';
import type { GatewayMessage } from '../../local/gateway';
import { startLocalCloud, type LocalCloud } from '../../local/local-cloud';

/**
 * cdk-iot-security-cli end to end, as a process, against the local cloud in this test's process
 * (no stacks): `ca create`, `device csr` and `device cert` checked with Debian's openssl; `ca
 * register` and `ca list` against the local AWS IoT control plane, checked with the AWS SDK;
 * `device connect` over mutual TLS to the local MQTT gateway, with JITP provisioning the device
 * on its first connect and a JITR CA nobody activates for leaving it out.
 */
const work = mkdtempSync(join(tmpdir(), 'cli-local-cloud-'));
const home = join(work, 'home');
let cloud: LocalCloud;
let iot: IoTClient;
/** The CLI's whole environment: the local control plane, a Region, dummy credentials, an empty HOME. */
let env: NodeJS.ProcessEnv;
const messages: GatewayMessage[] = [];
/** What the gateway decided, for the failure messages of the device tests. */
const gatewayLog: Record<string, unknown>[] = [];

beforeAll(async () => {
  mkdirSync(home);
  await ensureCliBundle();
  cloud = await startLocalCloud({
    stateDirectory: join(work, 'cloud'),
    controlPlanePort: 0,
    mqttPort: 0,
    rateLimits: false,
    log: (line) => gatewayLog.push(line),
  });
  cloud.mqtt.onMessage((message) => messages.push(message));
  iot = new IoTClient({ endpoint: cloud.controlPlaneUrl, region: cloud.model.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  env = awsEnv();
}, 180_000);

afterAll(async () => {
  iot?.destroy();
  await cloud?.close();
  rmSync(work, { recursive: true, force: true });
});

function awsEnv(overrides: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  return cliEnv(home, {
    AWS_ENDPOINT_URL_IOT: cloud.controlPlaneUrl,
    AWS_REGION: cloud.model.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...overrides,
  });
}

function cli(args: readonly string[], options: Partial<CliOptions> = {}): Promise<CliResult> {
  return runCli(args, { env, cwd: work, ...options });
}

/** Fails with the CLI's exit code and both streams when the code is not `code`. */
function expectExit(run: CliResult, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}\n${run.describe()}`);
}

let dirCount = 0;
/** A directory path of its own under the work directory (not created: the CLI creates its --out-dir). */
function outDir(name: string): string {
  return join(work, `${String(++dirCount).padStart(2, '0')}-${name}`);
}

// --- openssl, as a user would check what the CLI wrote ----------------------------------------

const x509Text = (file: string) => openssl('x509', '-in', file, '-noout', '-text').stdout;
const certPublicKey = (file: string) => openssl('x509', '-in', file, '-noout', '-pubkey').stdout;
const keyPublicKey = (file: string) => openssl('pkey', '-in', file, '-pubout').stdout;
const csrPublicKey = (file: string) => openssl('req', '-in', file, '-noout', '-pubkey').stdout;
/** `C=DE,O=...,CN=...` in openssl's order, e.g. `subject=CN=x,O=Example Corp,C=DE`. */
const subjectOf = (file: string) => openssl('x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253').stdout.trim();
const issuerOf = (file: string) => openssl('x509', '-in', file, '-noout', '-issuer', '-nameopt', 'RFC2253').stdout.trim().replace(/^issuer=/, 'subject=');
/** The SHA-256 of the DER, lowercase hex: AWS IoT's certificate id. */
const certificateIdOf = (file: string) => openssl('x509', '-in', file, '-noout', '-fingerprint', '-sha256').stdout.trim()
  .replace(/^sha256 Fingerprint=/i, '').replace(/:/g, '').toLowerCase();
const notAfterOf = (file: string) => new Date(openssl('x509', '-in', file, '-noout', '-enddate').stdout.trim().replace(/^notAfter=/, ''));
/** The permission bits, e.g. 0o600. */
const mode = (file: string) => statSync(file).mode % 0o1000;

/** `openssl verify -CAfile ca file`: its one line, `<file>: OK` when it verifies. */
function verify(caFile: string, file: string): string {
  return openssl('verify', '-CAfile', caFile, file).stdout.trim();
}

function pemBlocks(text: string): string[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => block.replace(/\s+/g, ''));
}

/** The chain file is the certificate followed by the CA, nothing else. */
function expectChain(chainFile: string, certFile: string, caFile: string): void {
  const [cert] = pemBlocks(readFileSync(certFile, 'utf8'));
  const [ca] = pemBlocks(readFileSync(caFile, 'utf8'));
  expect(pemBlocks(readFileSync(chainFile, 'utf8'))).toEqual([cert, ca]);
  // openssl verifies the first certificate of the file: the device's.
  expect(verify(caFile, chainFile)).toBe(`${chainFile}: OK`);
}

function expectDaysFromNow(date: Date, days: number): void {
  const expected = Date.now() + days * 86_400_000;
  expect(Math.abs(date.getTime() - expected)).toBeLessThan(86_400_000);
}

// --- ca create --------------------------------------------------------------------------------

interface CaFiles {
  readonly cert: string;
  readonly key: string;
  readonly id: string;
}

/** `ca create` into a directory of its own; fails the test unless it exits 0. */
async function createCa(name: string, keyAlgorithm = 'ECDSA-P256', subject = `/O=Example Corp/CN=${name}`): Promise<CaFiles> {
  const dir = outDir(name);
  const run = await cli(['ca', 'create', '--key-algorithm', keyAlgorithm, '--subject', subject, '--validity-days', '30', '--out-dir', dir, '--json']);
  expectExit(run, 0);
  const result = run.json();
  return { cert: result.certificateFile, key: result.privateKeyFile, id: result.certificateId };
}

describe('ca create', () => {
  test.each<[string, RegExp]>([
    ['RSA-2048', /Public Key Algorithm: rsaEncryption\s+Public-Key: \(2048 bit\)/],
    ['ECDSA-P256', /Public Key Algorithm: id-ecPublicKey\s+Public-Key: \(256 bit\)[\s\S]+ASN1 OID: prime256v1/],
    ['ECDSA-P384', /Public Key Algorithm: id-ecPublicKey\s+Public-Key: \(384 bit\)[\s\S]+ASN1 OID: secp384r1/],
  ])('%s: a self-signed CA:TRUE certificate with the subject asked for, its key (0600) and certificate (0644), --json names them', async (keyAlgorithm, keyInfo) => {
    const dir = outDir(`ca-${keyAlgorithm}`);
    const run = await cli(['ca', 'create', '--key-algorithm', keyAlgorithm, '--subject', `/C=DE/O=Example Corp/CN=Test CA ${keyAlgorithm}`,
      '--validity-days', '30', '--out-dir', dir, '--json']);
    expectExit(run, 0);
    const certFile = join(dir, 'ca.cert.pem');
    const keyFile = join(dir, 'ca.key.pem');
    expect(run.json()).toEqual({
      certificateId: certificateIdOf(certFile),
      certificateFile: certFile,
      privateKeyFile: keyFile,
      subject: `C=DE, O=Example Corp, CN=Test CA ${keyAlgorithm}`,
      keyAlgorithm,
      notBefore: expect.any(String),
      notAfter: notAfterOf(certFile).toISOString(),
    });
    expect(readdirSync(dir).sort()).toEqual(['ca.cert.pem', 'ca.key.pem']);

    const text = x509Text(certFile);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain(`Subject: C = DE, O = Example Corp, CN = Test CA ${keyAlgorithm}\n`);
    expect(text).toContain(`Issuer: C = DE, O = Example Corp, CN = Test CA ${keyAlgorithm}\n`);
    expect(text).toMatch(keyInfo);
    expect(verify(certFile, certFile)).toBe(`${certFile}: OK`);
    expectDaysFromNow(notAfterOf(certFile), 30);

    expect(mode(keyFile)).toBe(0o600);
    expect(mode(certFile)).toBe(0o644);
    expect(openssl('pkey', '-in', keyFile, '-noout', '-text').stdout).toMatch(/Private-Key: \((2048|256|384) bit/);
    expect(keyPublicKey(keyFile)).toBe(certPublicKey(certFile));
    expect(keyPublicKey(keyFile)).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  test.each<[string, number]>([['000', 0o000], ['077', 0o077]])('the key is 0600 and the certificate 0644 whatever the umask (%s)', async (name, umask) => {
    const dir = outDir(`ca-umask-${name}`);
    expectExit(await cli(['ca', 'create', '--out-dir', dir, '--quiet'], { umask }), 0);
    expect(mode(join(dir, 'ca.key.pem'))).toBe(0o600);
    expect(mode(join(dir, 'ca.cert.pem'))).toBe(0o644);
    // The default subject and algorithm.
    expect(subjectOf(join(dir, 'ca.cert.pem'))).toBe('subject=CN=cdk-iot-security CA');
    expect(x509Text(join(dir, 'ca.cert.pem'))).toMatch(/ASN1 OID: prime256v1/);
  });

  test('a second run into the same directory exits 3 and leaves the files byte-identical; --force replaces them', async () => {
    const dir = outDir('ca-twice');
    const certFile = join(dir, 'ca.cert.pem');
    const keyFile = join(dir, 'ca.key.pem');
    expectExit(await cli(['ca', 'create', '--common-name', 'First CA', '--out-dir', dir]), 0);
    const cert = readFileSync(certFile);
    const key = readFileSync(keyFile);

    const again = await cli(['ca', 'create', '--common-name', 'Second CA', '--out-dir', dir]);
    expectExit(again, 3);
    expect(again.stderr).toContain(`refusing to overwrite ${certFile}, ${keyFile}`);
    expect(again.stderr).toContain('--force');
    expect(again.stdout).toBe('');
    expect(readFileSync(certFile).equals(cert)).toBe(true);
    expect(readFileSync(keyFile).equals(key)).toBe(true);

    // One file of the two is enough to refuse, and nothing is written then: no new certificate beside the old key.
    unlinkSync(certFile);
    expectExit(await cli(['ca', 'create', '--common-name', 'Second CA', '--out-dir', dir]), 3);
    expect(existsSync(certFile)).toBe(false);
    expect(readFileSync(keyFile).equals(key)).toBe(true);

    // --force replaces them, and a replaced key is 0600 again even if it had been opened up.
    chmodSync(keyFile, 0o644);
    const forced = await cli(['ca', 'create', '--common-name', 'Second CA', '--out-dir', dir, '--force']);
    expectExit(forced, 0);
    expect(subjectOf(certFile)).toBe('subject=CN=Second CA');
    expect(readFileSync(keyFile).equals(key)).toBe(false);
    expect(keyPublicKey(keyFile)).toBe(certPublicKey(certFile));
    expect(mode(keyFile)).toBe(0o600);
    expect(mode(certFile)).toBe(0o644);
  });

  test.each<[string, string[], string]>([
    ['an unknown key algorithm', ['--key-algorithm', 'DSA-2048'], '--key-algorithm'],
    ['a key AWS IoT refuses', ['--key-algorithm', 'RSA-1024'], '--key-algorithm'],
    ['a subject that is not KEY=value', ['--subject', 'Example CA'], '--subject'],
    ['an unknown attribute', ['--subject', '/C=DE/XX=1/CN=a'], '--subject'],
    ['an attribute given twice', ['--subject', '/CN=a/CN=b'], '--subject'],
    ['a country that is not two letters', ['--subject', '/C=Germany/CN=a'], '--subject'],
    ['zero validity days', ['--validity-days', '0'], '--validity-days'],
  ])('%s exits 2 with a message naming the option, and writes nothing', async (_what, args, option) => {
    const dir = outDir('ca-bad');
    const run = await cli(['ca', 'create', '--out-dir', dir, ...args]);
    expectExit(run, 2);
    expect(run.stderr).toMatch(new RegExp(`^error: .*${option}`, 'm'));
    expect(run.stdout).toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  test('with --json a refusal is one JSON document on stdout too', async () => {
    const run = await cli(['ca', 'create', '--key-algorithm', 'DSA-2048', '--out-dir', outDir('ca-bad-json'), '--json']);
    expectExit(run, 2);
    expect(run.json()).toEqual({ error: { message: expect.stringContaining('--key-algorithm'), exitCode: 2 } });
  });
});

// --- device csr and device cert from a local CA -----------------------------------------------

describe('device csr', () => {
  test('a new RSA-2048 key (0600) and a CSR openssl verifies, with the subject asked for', async () => {
    const dir = outDir('csr-new-key');
    const run = await cli(['device', 'csr', '--subject', '/C=DE/ST=Bavaria/O=Example Corp/OU=Sensors/CN=sensor-0001',
      '--key-algorithm', 'RSA-2048', '--out-dir', dir, '--json']);
    expectExit(run, 0);
    const csrFile = join(dir, 'sensor-0001.csr.pem');
    const keyFile = join(dir, 'sensor-0001.key.pem');
    expect(run.json()).toMatchObject({ csrFile, privateKeyFile: keyFile, keyAlgorithm: 'RSA-2048' });
    expect(readdirSync(dir).sort()).toEqual(['sensor-0001.csr.pem', 'sensor-0001.key.pem']);

    const checked = openssl('req', '-in', csrFile, '-noout', '-verify', '-subject', '-nameopt', 'RFC2253');
    expect(checked.stderr).toMatch(/verify OK/);
    expect(checked.stdout.trim()).toBe('subject=CN=sensor-0001,OU=Sensors,O=Example Corp,ST=Bavaria,C=DE');
    expect(csrPublicKey(csrFile)).toBe(keyPublicKey(keyFile));
    expect(openssl('pkey', '-in', keyFile, '-noout', '-text').stdout).toMatch(/Private-Key: \(2048 bit/);
    expect(mode(keyFile)).toBe(0o600);
    expect(mode(csrFile)).toBe(0o644);
  });

  test('--key: a CSR signed with an existing key (made by openssl), and no key written', async () => {
    const keyFile = join(work, 'openssl-p384.key.pem');
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', keyFile);
    const dir = outDir('csr-existing-key');
    const run = await cli(['device', 'csr', '--key', keyFile, '--common-name', 'sensor-0002', '--out-dir', dir, '--json']);
    expectExit(run, 0);
    const csrFile = join(dir, 'sensor-0002.csr.pem');
    expect(run.json()).toMatchObject({ csrFile, privateKeyFile: keyFile, keyAlgorithm: 'ECDSA-P384' });
    expect(readdirSync(dir)).toEqual(['sensor-0002.csr.pem']);
    const checked = openssl('req', '-in', csrFile, '-noout', '-verify', '-subject', '-nameopt', 'RFC2253');
    expect(checked.stderr).toMatch(/verify OK/);
    expect(checked.stdout.trim()).toBe('subject=CN=sensor-0002');
    expect(csrPublicKey(csrFile)).toBe(keyPublicKey(keyFile));
  });
});

describe('device cert from a local CA', () => {
  let ca: CaFiles;
  beforeAll(async () => {
    ca = await createCa('Device CA');
  }, 60_000);

  /** What every device certificate must be: verified by openssl against the CA, a leaf, the CA as issuer, the chain right. */
  function expectDeviceCertificate(dir: string, name: string, subject: string): { cert: string; chain: string } {
    const cert = join(dir, `${name}.cert.pem`);
    const chain = join(dir, `${name}.chain.pem`);
    expect(verify(ca.cert, cert)).toBe(`${cert}: OK`);
    expect(subjectOf(cert)).toBe(`subject=${subject}`);
    expect(issuerOf(cert)).toBe(subjectOf(ca.cert));
    const text = x509Text(cert);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \s*\n\s+TLS Web Client Authentication/);
    expectChain(chain, cert, ca.cert);
    expect(mode(cert)).toBe(0o644);
    expect(mode(chain)).toBe(0o644);
    return { cert, chain };
  }

  test('a new key: certificate, chain (certificate + CA) and key (0600); openssl verifies it against the CA', async () => {
    const dir = outDir('cert-new-key');
    const run = await cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--subject', '/C=DE/O=Example Corp/CN=device-new',
      '--key-algorithm', 'ECDSA-P384', '--validity-days', '10', '--out-dir', dir, '--json']);
    expectExit(run, 0);
    const { cert, chain } = expectDeviceCertificate(dir, 'device-new', 'CN=device-new,O=Example Corp,C=DE');
    const key = join(dir, 'device-new.key.pem');
    expect(run.json()).toMatchObject({
      certificateId: certificateIdOf(cert),
      certificateFile: cert,
      chainFile: chain,
      privateKeyFile: key,
      subject: 'C=DE, O=Example Corp, CN=device-new',
      notAfter: notAfterOf(cert).toISOString(),
    });
    expect(readdirSync(dir).sort()).toEqual(['device-new.cert.pem', 'device-new.chain.pem', 'device-new.key.pem']);
    expect(mode(key)).toBe(0o600);
    expect(keyPublicKey(key)).toBe(certPublicKey(cert));
    expect(x509Text(cert)).toMatch(/ASN1 OID: secp384r1/);
    expectDaysFromNow(notAfterOf(cert), 10);
  });

  test('--key: the certificate is for that key (made by openssl), and no key is written', async () => {
    const keyFile = join(work, 'openssl-rsa.key.pem');
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyFile);
    const dir = outDir('cert-existing-key');
    const run = await cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--key', keyFile, '--common-name', 'device-key',
      '--out-dir', dir, '--json']);
    expectExit(run, 0);
    const { cert } = expectDeviceCertificate(dir, 'device-key', 'CN=device-key');
    expect(run.json()).toMatchObject({ privateKeyFile: keyFile, certificateFile: cert });
    expect(readdirSync(dir).sort()).toEqual(['device-key.cert.pem', 'device-key.chain.pem']);
    expect(certPublicKey(cert)).toBe(keyPublicKey(keyFile));
    expectDaysFromNow(notAfterOf(cert), 365);
  });

  test('--csr from `device csr`: the CSR\'s subject and key, and the key never read', async () => {
    const csrDir = outDir('csr-for-cert');
    expectExit(await cli(['device', 'csr', '--subject', '/O=Example Corp/OU=Line 2/CN=device-csr', '--out-dir', csrDir]), 0);
    const dir = outDir('cert-from-csr');
    const run = await cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--csr', join(csrDir, 'device-csr.csr.pem'),
      '--out-dir', dir, '--json']);
    expectExit(run, 0);
    const { cert } = expectDeviceCertificate(dir, 'device-csr', 'CN=device-csr,OU=Line 2,O=Example Corp');
    expect(run.json()).toMatchObject({ privateKeyFile: null });
    expect(readdirSync(dir).sort()).toEqual(['device-csr.cert.pem', 'device-csr.chain.pem']);
    expect(certPublicKey(cert)).toBe(keyPublicKey(join(csrDir, 'device-csr.key.pem')));
  });

  test('--csr made by `openssl req`: the certificate has its subject and key', async () => {
    const keyFile = join(work, 'openssl-req.key.pem');
    const csrFile = join(work, 'openssl-req.csr.pem');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile,
      '-subj', '/C=DE/O=Example Corp/CN=device-openssl', '-out', csrFile);
    const dir = outDir('cert-from-openssl-csr');
    expectExit(await cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--csr', csrFile, '--out-dir', dir]), 0);
    const { cert } = expectDeviceCertificate(dir, 'device-openssl', 'CN=device-openssl,O=Example Corp,C=DE');
    expect(certPublicKey(cert)).toBe(keyPublicKey(keyFile));
  });

  test('--csr together with --subject exits 2 and writes nothing', async () => {
    const csrDir = outDir('csr-conflict');
    expectExit(await cli(['device', 'csr', '--common-name', 'device-conflict', '--out-dir', csrDir]), 0);
    const dir = outDir('cert-conflict');
    const run = await cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--csr', join(csrDir, 'device-conflict.csr.pem'),
      '--subject', '/CN=someone-else', '--out-dir', dir]);
    expectExit(run, 2);
    expect(run.stderr).toMatch(/^error: --csr carries the subject: drop --subject/m);
    expect(existsSync(dir)).toBe(false);
  });

  test('a CA key that is not the CA certificate\'s exits 3 naming both files, and writes nothing', async () => {
    const other = await createCa('Other CA');
    const dir = outDir('cert-wrong-ca-key');
    const run = await cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', other.key, '--common-name', 'device-wrong-ca', '--out-dir', dir]);
    expectExit(run, 3);
    expect(run.stderr).toContain(`error: --ca-cert ${ca.cert} / --ca-key ${other.key}: `);
    expect(run.stderr).toMatch(/: the CA private key does not (fit|belong to) the CA certificate/);
    expect(existsSync(dir)).toBe(false);
  });
});

// --- ca register and ca list against the local AWS IoT ---------------------------------------

/** The CAs the CLI registered (exit 0), by id: what `ca list` must list. */
const registeredCaIds = new Set<string>();

async function register(args: readonly string[], options: Partial<CliOptions> = {}): Promise<CliResult> {
  const run = await cli(['ca', 'register', ...args, '--json'], options);
  if (run.code === 0) registeredCaIds.add(run.json().caCertificateId);
  return run;
}

function describeCa(certificateId: string): Promise<DescribeCACertificateCommandOutput> {
  return iot.send(new DescribeCACertificateCommand({ certificateId }));
}

async function caTags(certificateArn: string): Promise<{ Key?: string; Value?: string }[]> {
  const { tags } = await iot.send(new ListTagsForResourceCommand({ resourceArn: certificateArn }));
  return [...(tags ?? [])].sort((a, b) => a.Key!.localeCompare(b.Key!));
}

async function listedCaIds(): Promise<string[]> {
  const { certificates } = await iot.send(new ListCACertificatesCommand({ pageSize: 250 }));
  return (certificates ?? []).map((ca) => ca.certificateId!).sort();
}

function samePem(a: string | undefined, b: string): boolean {
  return a !== undefined && pemBlocks(a)[0] === pemBlocks(b)[0];
}

/** A free TCP port nobody listens on. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

const CERTIFICATE_ID = 'AWS::IoT::Certificate::Id';
const COMMON_NAME = 'AWS::IoT::Certificate::CommonName';
const ORGANIZATION = 'AWS::IoT::Certificate::Organization';

/** A JITP template as AWS's docs show one: the thing named by the CN, the certificate ACTIVE, an inline policy. */
function jitpTemplateBody(): string {
  return JSON.stringify({
    Parameters: { [COMMON_NAME]: { Type: 'String' }, [ORGANIZATION]: { Type: 'String' }, [CERTIFICATE_ID]: { Type: 'String' } },
    Resources: {
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: COMMON_NAME }, AttributePayload: { organization: { Ref: ORGANIZATION } } } },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: CERTIFICATE_ID }, Status: 'ACTIVE' } },
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: defaultDevicePolicyDocument(cloud.model.region, cloud.model.accountId) } },
    },
  });
}

interface JitpSetup {
  readonly ca: CaFiles;
  readonly templateName: string;
  readonly run: CliResult;
}

let jitpSetup: Promise<JitpSetup> | undefined;
/** A JITP template (made with the SDK) and a CA the CLI registers with `--template-name`; once per file. */
function jitpCa(): Promise<JitpSetup> {
  jitpSetup ??= (async () => {
    const templateName = 'cli-jitp-template';
    await iot.send(new CreateProvisioningTemplateCommand({
      templateName,
      templateBody: jitpTemplateBody(),
      provisioningRoleArn: `arn:aws:iam::${cloud.model.accountId}:role/JITPRole`,
      type: 'JITP',
      enabled: true,
    }));
    const ca = await createCa('JITP CA');
    const run = await register(['--ca-cert', ca.cert, '--ca-key', ca.key, '--template-name', templateName]);
    return { ca, templateName, run };
  })();
  return jitpSetup;
}

describe('ca register, straight to the local AWS IoT', () => {
  test('DEFAULT with --jitr and --tag: ACTIVE, auto-registration ENABLE, the tags on the CA', async () => {
    const ca = await createCa('JITR CA', 'RSA-2048');
    const run = await register(['--ca-cert', ca.cert, '--ca-key', ca.key, '--jitr', '--tag', 'team=blue', '--tag', 'purpose=cli test=1']);
    expectExit(run, 0);
    expect(run.json()).toEqual({
      caCertificateId: ca.id,
      caCertificateArn: `arn:aws:iot:${cloud.model.region}:${cloud.model.accountId}:cacert/${ca.id}`,
      status: 'ACTIVE',
      certificateMode: 'DEFAULT',
      autoRegistrationStatus: 'ENABLE',
      registeredThrough: 'AWS IoT',
    });
    const { certificateDescription, registrationConfig } = await describeCa(ca.id);
    expect(certificateDescription).toMatchObject({ certificateId: ca.id, status: 'ACTIVE', autoRegistrationStatus: 'ENABLE', certificateMode: 'DEFAULT' });
    expect(samePem(certificateDescription?.certificatePem, readFileSync(ca.cert, 'utf8'))).toBe(true);
    expect(registrationConfig?.templateName).toBeUndefined();
    expect(await caTags(certificateDescription!.certificateArn!)).toEqual([{ Key: 'purpose', Value: 'cli test=1' }, { Key: 'team', Value: 'blue' }]);
  });

  test('SNI_ONLY without a key: registered without a verification certificate', async () => {
    const ca = await createCa('SNI CA');
    const run = await register(['--ca-cert', ca.cert, '--mode', 'SNI_ONLY']);
    expectExit(run, 0);
    expect(run.json()).toMatchObject({ caCertificateId: ca.id, status: 'ACTIVE', certificateMode: 'SNI_ONLY', autoRegistrationStatus: 'DISABLE' });
    const { certificateDescription } = await describeCa(ca.id);
    expect(certificateDescription).toMatchObject({ status: 'ACTIVE', certificateMode: 'SNI_ONLY', autoRegistrationStatus: 'DISABLE' });
  });

  test('DEFAULT without --ca-key exits 2 (the key signs the verification certificate), nothing registered', async () => {
    const ca = await createCa('Keyless CA');
    const run = await register(['--ca-cert', ca.cert]);
    expectExit(run, 2);
    expect(run.stderr).toMatch(/^error: --ca-key is required in DEFAULT mode/m);
    await expect(describeCa(ca.id)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('--template-name of a JITP template: auto-registration with that template', async () => {
    const { ca, templateName, run } = await jitpCa();
    expectExit(run, 0);
    expect(run.json()).toMatchObject({ caCertificateId: ca.id, status: 'ACTIVE', autoRegistrationStatus: 'ENABLE', templateName });
    const { certificateDescription, registrationConfig } = await describeCa(ca.id);
    expect(certificateDescription).toMatchObject({ status: 'ACTIVE', autoRegistrationStatus: 'ENABLE', certificateMode: 'DEFAULT' });
    expect(registrationConfig).toEqual({ templateName });
  });

  test('the same CA again: exit 0, a warning, and nothing changes (even with other options)', async () => {
    const ca = await createCa('Twice CA');
    expectExit(await register(['--ca-cert', ca.cert, '--ca-key', ca.key, '--jitr', '--tag', 'round=1']), 0);
    const before = await describeCa(ca.id);
    const listedBefore = await listedCaIds();

    const again = await register(['--ca-cert', ca.cert, '--ca-key', ca.key, '--inactive', '--tag', 'round=2']);
    expectExit(again, 0);
    expect(again.stderr).toContain(`warning: this CA is registered already (${ca.id})`);
    // It reports the CA as it is: still ACTIVE with auto-registration.
    expect(again.json()).toMatchObject({ caCertificateId: ca.id, status: 'ACTIVE', autoRegistrationStatus: 'ENABLE' });
    const { $metadata: _before, ...beforeFields } = before;
    const { $metadata: _after, ...afterFields } = await describeCa(ca.id);
    expect(afterFields).toEqual(beforeFields);
    expect(await caTags(before.certificateDescription!.certificateArn!)).toEqual([{ Key: 'round', Value: '1' }]);
    expect(await listedCaIds()).toEqual(listedBefore);
  });

  test('no Region (no AWS_REGION, no --region): exit 4 saying so, nothing registered; --region then works', async () => {
    const ca = await createCa('Regionless CA');
    const noRegion = awsEnv({ AWS_REGION: undefined });
    expect(Object.keys(noRegion).filter((name) => /REGION|PROFILE|CONFIG_FILE/.test(name))).toEqual([]);
    const run = await register(['--ca-cert', ca.cert, '--ca-key', ca.key], { env: noRegion });
    expectExit(run, 4);
    expect(run.stderr).toMatch(/^error: no AWS Region is configured\n {2}pass --region, set AWS_REGION/m);
    expect(run.json()).toMatchObject({ error: { exitCode: 4 } });
    await expect(describeCa(ca.id)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    const withRegion = await register(['--ca-cert', ca.cert, '--ca-key', ca.key, '--region', cloud.model.region], { env: noRegion });
    expectExit(withRegion, 0);
    expect((await describeCa(ca.id)).certificateDescription?.status).toBe('ACTIVE');
  });

  test.each(['AWS_ENDPOINT_URL_IOT', '--endpoint-url'])('an endpoint nobody listens on (%s): exit 4 with a hint', async (how) => {
    const ca = await createCa('Unreachable CA');
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const run = how === '--endpoint-url'
      ? await register(['--ca-cert', ca.cert, '--ca-key', ca.key, '--endpoint-url', url])
      : await register(['--ca-cert', ca.cert, '--ca-key', ca.key], { env: awsEnv({ AWS_ENDPOINT_URL_IOT: url }) });
    expectExit(run, 4);
    expect(run.stderr).toMatch(/^error: GetRegistrationCode: cannot reach .*\(ECONNREFUSED\)/m);
    expect(run.stderr).toMatch(/^ {2}check --endpoint-url \/ AWS_ENDPOINT_URL_IOT .*local up/m);
    expect(run.ms).toBeLessThan(30_000);
    await expect(describeCa(ca.id)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('ca list', () => {
  test('--json lists exactly the CAs registered, each as AWS IoT describes it', async () => {
    await jitpCa();
    expect(registeredCaIds.size).toBeGreaterThanOrEqual(5);
    const run = await cli(['ca', 'list', '--json']);
    expectExit(run, 0);
    const { caCertificates } = run.json() as { caCertificates: Record<string, unknown>[] };
    expect(caCertificates.map((ca) => ca.caCertificateId).sort()).toEqual([...registeredCaIds].sort());
    expect(caCertificates.map((ca) => ca.caCertificateId).sort()).toEqual(await listedCaIds());
    for (const listed of caCertificates) {
      const { certificateDescription, registrationConfig } = await describeCa(listed.caCertificateId as string);
      expect(listed).toEqual({
        caCertificateId: certificateDescription!.certificateId,
        caCertificateArn: certificateDescription!.certificateArn,
        status: certificateDescription!.status,
        certificateMode: certificateDescription!.certificateMode,
        autoRegistrationStatus: certificateDescription!.autoRegistrationStatus,
        ...(registrationConfig?.templateName ? { templateName: registrationConfig.templateName } : {}),
        createdAt: certificateDescription!.creationDate!.toISOString(),
        notAfter: certificateDescription!.validity!.notAfter!.toISOString(),
      });
    }
    expect(caCertificates.filter((ca) => ca.templateName === 'cli-jitp-template')).toHaveLength(1);
  });

  test('without --json: one line per CA', async () => {
    const run = await cli(['ca', 'list']);
    expectExit(run, 0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${registeredCaIds.size} CAs:`);
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/)[0]).sort()).toEqual([...registeredCaIds].sort());
  });
});

// --- device connect over mutual TLS to the local MQTT gateway --------------------------------

describe('device connect', () => {
  let jitp: JitpSetup;
  let jitrCa: CaFiles;
  let serverCa: string;

  beforeAll(async () => {
    jitp = await jitpCa();
    expectExit(jitp.run, 0);
    jitrCa = await createCa('JITR CA without activator');
    expectExit(await register(['--ca-cert', jitrCa.cert, '--ca-key', jitrCa.key, '--jitr']), 0);
    serverCa = cloud.serverIdentity.caCertificatePath;
  }, 60_000);

  /** `device cert` from a local CA: the files of one device (O without a space: a thing attribute value takes none). */
  async function deviceOf(ca: CaFiles, name: string): Promise<{ chain: string; cert: string; key: string; certificateId: string }> {
    const dir = outDir(name);
    const run = await cli(['device', 'cert', '--ca-cert', ca.cert, '--ca-key', ca.key, '--subject', `/O=ExampleCorp/CN=${name}`,
      '--out-dir', dir, '--json']);
    expectExit(run, 0);
    const result = run.json();
    expect(verify(ca.cert, result.certificateFile)).toBe(`${result.certificateFile}: OK`);
    return { chain: result.chainFile, cert: result.certificateFile, key: result.privateKeyFile, certificateId: result.certificateId };
  }

  async function publishedBy(clientId: string, topic: string, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const found = () => messages.filter((message) => message.clientId === clientId && message.topic === topic)
      .map((message) => message.payload.toString());
    while (found().length === 0 && Date.now() < deadline) await sleep(20);
    return found();
  }

  test('JITP: the local cloud provisions the device on its first connect; the retry gets in and publishes', async () => {
    const device = await deviceOf(jitp.ca, 'jitp-device-1');
    // No --endpoint: DescribeEndpoint iot:Data-ATS of the local control plane names the gateway.
    const run = await cli(['device', 'connect', '--cert', device.chain, '--key', device.key, '--root-ca', serverCa,
      '--max-attempts', '8', '--base-delay-ms', '200', '--message', 'hello from the cli', '--json']);
    if (run.code !== 0) throw new Error(`${run.describe()}\ngateway:\n${gatewayLog.map((line) => JSON.stringify(line)).join('\n')}`);
    const result = run.json();
    expect(result).toEqual({
      clientId: 'jitp-device-1',
      endpoint: `localhost:${cloud.mqtt.port}`,
      attempts: expect.any(Number),
      onboardingMs: expect.any(Number),
      totalMs: expect.any(Number),
      topic: 'things/jitp-device-1/hello',
      published: true,
      received: false,
    });
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(result.onboardingMs).toBeGreaterThan(0);
    expect(result.onboardingMs).toBeLessThanOrEqual(result.totalMs);
    expect(run.stderr).toMatch(/^attempt 1\/8: failed: /m);
    expect(run.stderr).toMatch(new RegExp(`^attempt ${result.attempts}/8: connected$`, 'm'));

    const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    expect(certificateDescription).toMatchObject({ status: 'ACTIVE', caCertificateId: jitp.ca.id });
    const thing = await iot.send(new DescribeThingCommand({ thingName: 'jitp-device-1' }));
    expect(thing.attributes).toEqual({ organization: 'ExampleCorp' });
    const { principals } = await iot.send(new ListThingPrincipalsCommand({ thingName: 'jitp-device-1' }));
    expect(principals).toEqual([certificateDescription!.certificateArn]);
    const { policies } = await iot.send(new ListAttachedPoliciesCommand({ target: certificateDescription!.certificateArn }));
    expect(policies).toHaveLength(1);
    expect(await publishedBy('jitp-device-1', 'things/jitp-device-1/hello')).toEqual(['hello from the cli']);
  }, 60_000);

  test('JITR with no activator: the device stays out; exit 6 within --max-attempts 2 --base-delay-ms 100', async () => {
    const device = await deviceOf(jitrCa, 'jitr-device-1');
    const run = await cli(['device', 'connect', '--cert', device.chain, '--key', device.key, '--root-ca', serverCa,
      '--endpoint', `localhost:${cloud.mqtt.port}`, '--max-attempts', '2', '--base-delay-ms', '100', '--json']);
    expectExit(run, 6);
    expect(run.ms).toBeLessThan(20_000);
    expect(run.stderr).toMatch(/^attempt 2\/2: failed: .*; no attempts left$/m);
    expect(run.stderr).toMatch(/^error: jitr-device-1 could not connect: gave up after 2 attempts/m);
    expect(run.json()).toMatchObject({ error: { exitCode: 6, message: expect.stringContaining('could not connect') } });
    // AWS IoT registered it on the first connect (JITR), and nobody activated it.
    const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    expect(certificateDescription).toMatchObject({ status: 'PENDING_ACTIVATION', caCertificateId: jitrCa.id });
    await expect(iot.send(new DescribeThingCommand({ thingName: 'jitr-device-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(messages.filter((message) => message.clientId === 'jitr-device-1')).toEqual([]);
  }, 60_000);

  test('a key that is not the certificate\'s exits 3 before any connection', async () => {
    const device = await deviceOf(jitp.ca, 'jitp-device-2');
    const other = await deviceOf(jitp.ca, 'jitp-device-3');
    const run = await cli(['device', 'connect', '--cert', device.chain, '--key', other.key, '--root-ca', serverCa,
      '--endpoint', `localhost:${cloud.mqtt.port}`, '--max-attempts', '2', '--base-delay-ms', '100']);
    expectExit(run, 3);
    expect(run.stderr).toContain(`error: --key: ${other.key} is not the key of the certificate in ${device.chain}`);
    expect(run.stderr).not.toMatch(/attempt 1/);
    // Never seen by AWS IoT: a connection would have registered it (JITP).
    await expect(iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
