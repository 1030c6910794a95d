/**
 * JITP with cdk-iot-security-cli in its own process against the synthesized JitpDemo stack on the
 * local cloud's stack runner (its API, vault, certificate generator, verifier and provisioning
 * template; nothing of ours mocked): `ca register --api` makes the stack's CA, `device cert --api`
 * gets certificates three ways (a key made by the CLI, a CSR from `device csr`, a key made by the
 * stack), each passes `openssl verify` against the CA the answer carried, a subject the template
 * cannot provision is refused, and `device connect` gets in once JITP has provisioned the device.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeCertificateCommand, DescribeThingCommand, ListAttachedPoliciesCommand, ListCertificatesCommand,
  ListThingPrincipalsCommand, ListThingsCommand,
} from '@aws-sdk/client-iot';
import { describeRun, jsonOf } from './support/stack-cli-process';
import { expectExit, opensslVerify, permissions, startStackCloud, type StackCloud } from './support/stack-local-cloud';
import { EXIT } from '../../cli/src/exit-codes';
import { AMAZON_ROOT_CA_PEMS } from '../../lambda-assets/shared/iot/amazon-root-cas';
import { synthesizeJitpDemo } from '../demo/support/jitp-demo-assembly';

jest.setTimeout(120_000);

const STACK = 'JitpDemo';
/** demo/jitp/app.ts: the verifier allowList admits CNs starting demo-sensor-; the default template reads CN and O (no spaces in O). */
const VERIFIER = 'allowList';
const ORGANIZATION = 'cdk-iot-security-demo';
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

let cdkOut: string;
let cloud: StackCloud;
let apiUrl: string;
let ca: { id: string; pemFile: string };

beforeAll(async () => {
  cdkOut = synthesizeJitpDemo();
  cloud = await startStackCloud(cdkOut, 'jitp');
  apiUrl = cloud.localUrl(STACK, 'DeviceCertificateGenerateUrl');
}, 180_000);

afterAll(async () => {
  await cloud?.close();
  if (cdkOut) rmSync(cdkOut, { recursive: true, force: true });
});

function subject(commonName: string): string {
  return `/O=${ORGANIZATION}/CN=${commonName}`;
}

function certificatesIn(path: string): string[] {
  return readFileSync(path, 'utf8').match(PEM_CERTIFICATE) ?? [];
}

/** The SPKI of a certificate and of a private key, to show which key a certificate certifies. */
function certificateSpki(certificateFile: string): string {
  return new X509Certificate(readFileSync(certificateFile)).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

function keySpki(keyFile: string): string {
  return createPublicKey(createPrivateKey(readFileSync(keyFile))).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The name the certificate generator gives a CSR's issued record: the SHA-256 of the CSR's DER. */
function csrSha256(csrFile: string): string {
  const base64 = readFileSync(csrFile, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');
}

/** The vault's issued records under the CA: certificate id -> record name (only a CSR request leaves one). */
async function issuedRecords(): Promise<Map<string, string>> {
  const records = new Map<string, string>();
  for (const key of (await cloud.vaultKeys(ca.id)).filter((name) => name.startsWith('issued/'))) {
    records.set(JSON.parse(await cloud.readVault(ca.id, key)).certificateId, key);
  }
  return records;
}

async function registrySize(): Promise<{ things: number; certificates: number }> {
  const [things, certificates] = await Promise.all([cloud.iot.send(new ListThingsCommand({})), cloud.iot.send(new ListCertificatesCommand({}))]);
  return { things: things.things?.length ?? 0, certificates: certificates.certificates?.length ?? 0 };
}

interface Issued {
  readonly certificateId: string;
  readonly certificateFile: string;
  readonly chainFile: string;
  readonly privateKeyFile: string | null;
  readonly rootCaFile: string | null;
  readonly endpoint: string | null;
  readonly caCertificateId: string;
}

/** The files every `device cert --api` answer must leave: a chain of the certificate and the stack's CA, which openssl verifies. */
async function expectIssuedByStackCa(issued: Issued, directory: string, commonName: string): Promise<void> {
  expect(issued).toMatchObject({
    certificateId: expect.stringMatching(/^[0-9a-f]{64}$/),
    certificateFile: join(directory, `${commonName}.cert.pem`),
    chainFile: join(directory, `${commonName}.chain.pem`),
    rootCaFile: join(directory, 'amazon-root-cas.pem'),
    endpoint: `localhost:${cloud.runner.cloud.mqtt.port}`,
    caCertificateId: ca.id,
  });
  const [certificate, caCertificate, ...more] = certificatesIn(issued.chainFile);
  expect(more).toEqual([]);
  expect(certificatesIn(issued.certificateFile)).toEqual([certificate]);
  // The CA the answer carried is the one `ca register` returned.
  expect(caCertificate.trim()).toBe(readFileSync(ca.pemFile, 'utf8').trim());
  const answeredCa = join(directory, 'answered-ca.pem');
  writeFileSync(answeredCa, caCertificate);
  await expect(opensslVerify(answeredCa, issued.certificateFile)).resolves.toBe(`${issued.certificateFile}: OK`);
  expect(new X509Certificate(certificate).subject.split('\n').sort()).toEqual([`CN=${commonName}`, `O=${ORGANIZATION}`]);
  // Amazon Root CA 1 and 3, for the device to trust AWS IoT's ATS endpoint.
  expect(certificatesIn(issued.rootCaFile!).map((pem) => pem.trim())).toEqual(Object.values(AMAZON_ROOT_CA_PEMS).map((pem) => pem.trim()));
}

test('ca register --api: the stack makes the CA and registers it with its JITP template (ca list shows it)', async () => {
  const run = expectExit(await cloud.cli(['ca', 'register', '--api', cloud.localUrl(STACK, 'CaRegisterUrl'),
    '--subject', `/O=${ORGANIZATION}/CN=CLI JITP CA`, '--verifier', VERIFIER, '--json']), EXIT.OK);
  const registered = jsonOf(run);
  expect(registered).toMatchObject({ caCertificateId: expect.stringMatching(/^[0-9a-f]{64}$/), verifierName: VERIFIER });
  ca = { id: registered.caCertificateId, pemFile: join(cloud.directory('ca'), 'jitp-ca.pem') };
  writeFileSync(ca.pemFile, registered.caCertificatePem);
  expect(new X509Certificate(registered.caCertificatePem).subject).toMatch(/CN=CLI JITP CA/);

  const listed = jsonOf(expectExit(await cloud.cli(['ca', 'list', '--json']), EXIT.OK));
  expect(listed.caCertificates).toContainEqual(expect.objectContaining({
    caCertificateId: ca.id,
    status: 'ACTIVE',
    autoRegistrationStatus: 'ENABLE',
    templateName: cloud.outputs(STACK).ProvisioningTemplateName,
  }));
});

describe('device cert --api --ca-certificate-id', () => {
  const devices: Record<'local' | 'csr' | 'server', { name: string; issued?: Issued; keyFile?: string }> = {
    local: { name: 'demo-sensor-cli-local' },
    csr: { name: 'demo-sensor-cli-csr' },
    server: { name: 'demo-sensor-cli-server' },
  };

  test('by default the key is made here (mode 0600) and only its CSR goes to the stack', async () => {
    const device = devices.local;
    const directory = join(cloud.work, 'local');
    const run = expectExit(await cloud.cli(['device', 'cert', '--api', apiUrl, '--ca-certificate-id', ca.id, '--subject', subject(device.name),
      '--out-dir', 'local', '--json']), EXIT.OK);
    const issued: Issued = jsonOf(run);
    await expectIssuedByStackCa(issued, directory, device.name);
    expect(issued.privateKeyFile).toBe(join(directory, `${device.name}.key.pem`));
    expect(permissions(issued.privateKeyFile!)).toBe('600');
    expect(certificateSpki(issued.certificateFile)).toBe(keySpki(issued.privateKeyFile!));
    // The stack keeps a record for a CSR request alone (a key it makes is never stored), and refuses any field
    // beyond caCertificateId, csrPem and validityDays next to a CSR: the request was the CSR.
    expect((await issuedRecords()).get(issued.certificateId)).toMatch(/^issued\/[0-9a-f]{64}\.json$/);
    expect(run.stdout + run.stderr).not.toMatch(/PRIVATE KEY/);
    device.issued = issued;
    device.keyFile = issued.privateKeyFile!;
  });

  test('--csr from device csr: the device keeps its key, the certificate certifies it', async () => {
    const device = devices.csr;
    const directory = join(cloud.work, 'csr');
    const csr = jsonOf(expectExit(await cloud.cli(['device', 'csr', '--subject', subject(device.name), '--key-algorithm', 'RSA-2048',
      '--out-dir', 'csr', '--json']), EXIT.OK));
    expect(csr).toMatchObject({ csrFile: join(directory, `${device.name}.csr.pem`), privateKeyFile: join(directory, `${device.name}.key.pem`) });
    expect(permissions(csr.privateKeyFile)).toBe('600');

    const run = expectExit(await cloud.cli(['device', 'cert', '--api', apiUrl, '--ca-certificate-id', ca.id, '--csr', csr.csrFile,
      '--out-dir', 'csr', '--json']), EXIT.OK);
    const issued: Issued = jsonOf(run);
    await expectIssuedByStackCa(issued, directory, device.name);
    expect(issued.privateKeyFile).toBeNull();
    expect(certificateSpki(issued.certificateFile)).toBe(keySpki(csr.privateKeyFile));
    // Issued for exactly this CSR: the stack named its record by the CSR's SHA-256.
    expect((await issuedRecords()).get(issued.certificateId)).toBe(`issued/${csrSha256(csr.csrFile)}.json`);
    device.issued = issued;
    device.keyFile = csr.privateKeyFile;
  });

  test('--server-key: the stack makes the key and hands it over once; the CLI writes it mode 0600', async () => {
    const device = devices.server;
    const directory = join(cloud.work, 'server');
    const run = expectExit(await cloud.cli(['device', 'cert', '--api', apiUrl, '--ca-certificate-id', ca.id, '--server-key',
      '--key-algorithm', 'ECDSA-P256', '--subject', subject(device.name), '--out-dir', 'server', '--json']), EXIT.OK);
    const issued: Issued = jsonOf(run);
    await expectIssuedByStackCa(issued, directory, device.name);
    expect(issued.privateKeyFile).toBe(join(directory, `${device.name}.key.pem`));
    expect(permissions(issued.privateKeyFile!)).toBe('600');
    expect(certificateSpki(issued.certificateFile)).toBe(keySpki(issued.privateKeyFile!));
    expect((await issuedRecords()).has(issued.certificateId)).toBe(false);
    device.issued = issued;
    device.keyFile = issued.privateKeyFile!;
  });

  test('a subject without the Organization the template reads: exit 5, MissingSubjectField, nothing written or registered', async () => {
    const before = { registry: await registrySize(), vault: await cloud.vaultKeys() };
    const run = await cloud.cli(['device', 'cert', '--api', apiUrl, '--ca-certificate-id', ca.id, '--common-name', 'demo-sensor-no-org',
      '--out-dir', 'no-org', '--json']);
    expectExit(run, EXIT.REFUSED);
    expect(run.stderr).toMatch(/error: POST \/deviceCertificateGenerate answered 400: MissingSubjectField: csrPem: /);
    expect(run.stderr).toMatch(/the CSR subject has no organizationName/);
    expect(run.stderr).toMatch(/AWS::IoT::Certificate::Organization/);
    expect(jsonOf(run)).toEqual({ error: expect.objectContaining({ exitCode: EXIT.REFUSED }) });
    expect(existsSync(join(cloud.work, 'no-org'))).toBe(false);
    expect(await registrySize()).toEqual(before.registry);
    expect(await cloud.vaultKeys()).toEqual(before.vault);
  });

  test.each(['local', 'csr', 'server'] as const)('device connect (%s key): the first connect provisions and is closed, the retry publishes', async (kind) => {
    const device = devices[kind];
    if (!device.issued || !device.keyFile) throw new Error(`no certificate was issued for ${device.name}`);
    const run = await cloud.cli(['device', 'connect', '--cert', device.issued.chainFile, '--key', device.keyFile,
      '--endpoint', device.issued.endpoint!, '--root-ca', cloud.serverCaFile, '--base-delay-ms', '300', '--receive', '--json']);
    if (run.code !== EXIT.OK) throw new Error(`${describeRun(run)}\nthe stack: ${cloud.explain()}`);
    const connected = jsonOf(run);
    expect(connected).toMatchObject({ clientId: device.name, endpoint: device.issued.endpoint, published: true, received: true });
    expect(connected.attempts).toBeGreaterThanOrEqual(2);
    expect(connected.onboardingMs).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/attempt 1\/8: failed/);

    // What the template made: a thing named by the CN with the Organization as attribute, the certificate ACTIVE with the policy.
    const thing = await cloud.iot.send(new DescribeThingCommand({ thingName: device.name }));
    const { certificateDescription: certificate } = await cloud.iot.send(
      new DescribeCertificateCommand({ certificateId: device.issued.certificateId }));
    const { principals } = await cloud.iot.send(new ListThingPrincipalsCommand({ thingName: device.name }));
    const { policies } = await cloud.iot.send(new ListAttachedPoliciesCommand({ target: certificate!.certificateArn }));
    expect(thing.attributes).toEqual({ organization: ORGANIZATION });
    expect(certificate).toMatchObject({ status: 'ACTIVE', caCertificateId: ca.id });
    expect(principals).toEqual([certificate!.certificateArn]);
    expect(policies?.map((policy) => policy.policyName)).toEqual([cloud.outputs(STACK).DevicePolicyName]);
  });
});
