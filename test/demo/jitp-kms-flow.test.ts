/**
 * JITP with CA keys in AWS KMS (CaKeyStorage.KMS), end to end on a synthesized stack run by the
 * local runner, nothing of ours mocked: the stack's CA registrator creates the CA key in the local
 * KMS (with its key policy), self-signs the CA through KMS Sign, registers it with AWS IoT; the
 * device certificate API signs through KMS Sign; openssl verifies the CA and the device
 * certificates; devices (aws-iot-device-sdk-v2 and mosquitto_pub) are provisioned and connect.
 * Read from outside as a user would: the vault holds the certificate and a record naming the key
 * and no private key (and refuses one), the key is SIGN_VERIFY, tagged with its CA, its public key
 * is the CA certificate's, and even an administrator may not sign with it.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoTClient, ListCACertificatesCommand } from '@aws-sdk/client-iot';
import { DescribeKeyCommand, GetPublicKeyCommand, KMSClient, ListResourceTagsCommand, SignCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { synthesizeDemo } from './support/jitr-demo-assembly';
import { signedRequest } from '../../cli/src/aws/signed-request';
import { getDeviceCertificate } from '../../demo/jitp/get-certificate';
import { JITP_STACK, runJitpStackFlow, type JitpDemoDevice } from '../../demo/jitp/stack-flow';
import type { FlowStep } from '../../demo/jitr/stack-flow';
import { StackDiagnostics } from '../../demo/shared/stack-diagnostics';
import { verifierFunction } from '../../demo/shared/verifier-function';
import { startStackRunner, type RunningStacks } from '../../local/runner/stack-runner';
import { CaKeyStorage, JustInTimeProvision } from '../../src';

jest.setTimeout(300_000);

/** The verifier of the JITP demo (demo/jitp/app.ts): it admits common names starting demo-sensor-. */
const ALLOW_LIST_VERIFIER = `
exports.handler = async (input) => {
  const cn = (input.subject && input.subject.commonName) || '';
  if (cn.startsWith('demo-sensor-')) return { verified: true };
  return { verified: false, reason: 'common name ' + JSON.stringify(cn) + ' is not on the allow-list' };
};
`;

/** The JITP demo stack (same name, outputs and verifier, so the demo's flow runs on it) with its CA keys in KMS. */
function kmsJitpStack(app: App): void {
  const stack = new Stack(app, JITP_STACK);
  const allowList = verifierFunction(stack, 'AllowListVerifier', { code: ALLOW_LIST_VERIFIER });
  const jitp = new JustInTimeProvision(stack, 'Jitp', { verifiers: { allowList }, caKeyStorage: CaKeyStorage.KMS });
  new CfnOutput(stack, 'CaRegisterUrl', { value: jitp.api.urlForPath('/caRegister') });
  new CfnOutput(stack, 'DeviceCertificateGenerateUrl', { value: jitp.api.urlForPath('/deviceCertificateGenerate') });
  new CfnOutput(stack, 'DevicePolicyName', { value: jitp.devicePolicyName });
  new CfnOutput(stack, 'ProvisioningTemplateName', { value: jitp.provisioningTemplate!.ref });
}

const DEVICES: JitpDemoDevice[] = [
  { name: 'demo-sensor-kms-ec', keyAlgorithm: 'ECDSA-P256', serverKey: false, client: 'aws-iot-device-sdk-v2' },
  { name: 'demo-sensor-kms-rsa', keyAlgorithm: 'RSA-2048', serverKey: true, client: 'mosquitto_pub' },
];

let cdkOut: string;
let work: string;
let runner: RunningStacks;
const diagnostics = new StackDiagnostics();
let iot: IoTClient;
let s3: S3Client;
let kms: KMSClient;
let vaultBucket: string;

beforeAll(async () => {
  cdkOut = synthesizeDemo('jitp-kms', kmsJitpStack);
  work = mkdtempSync(join(tmpdir(), 'cdk-iot-security-jitp-kms-'));
  runner = await startStackRunner({
    cloudAssemblies: [cdkOut],
    stateDirectory: join(work, 'cloud'),
    log: diagnostics.log,
    onFunctionLog: diagnostics.onFunctionLog,
  });
  const config = { region: runner.region, credentials: runner.adminCredentials };
  iot = new IoTClient({ ...config, endpoint: runner.endpoints.IOT });
  s3 = new S3Client({ ...config, endpoint: runner.endpoints.S3, forcePathStyle: true });
  kms = new KMSClient({ ...config, endpoint: runner.endpoints.KMS, maxAttempts: 1 });
  const holder = runner.resourcesOfType('AWS::Lambda::Function')
    .map((fn) => (fn.properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {})
    .find((variables) => variables.VAULT_BUCKET);
  vaultBucket = holder!.VAULT_BUCKET;
}, 180_000);

afterAll(async () => {
  for (const client of [iot, s3, kms]) client?.destroy();
  await runner?.close();
  for (const dir of [cdkOut, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function vaultObjects(caId: string): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: vaultBucket, Prefix: `${caId}/` }));
  const objects = new Map<string, string>();
  for (const { Key } of listed.Contents ?? []) {
    const object = await s3.send(new GetObjectCommand({ Bucket: vaultBucket, Key }));
    objects.set(Key!.slice(caId.length + 1), await object.Body!.transformToString());
  }
  return objects;
}

function opensslVerify(caPem: string, certificatePem: string): string {
  const dir = mkdtempSync(join(work, 'verify-'));
  writeFileSync(join(dir, 'ca.pem'), caPem);
  writeFileSync(join(dir, 'cert.pem'), certificatePem);
  return execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'cert.pem')], { encoding: 'utf8' }).trim().replace(dir, '');
}

test('the JITP flow with a KMS-held CA: the CA and device certificates pass openssl verify, devices are provisioned and connect', async () => {
  const lines: string[] = [];
  const step: FlowStep = async (title, run) => {
    try {
      lines.push(`ok    ${title}: ${await run()}`);
    } catch (error) {
      throw new Error(`${title}: ${(error as Error).message}\n${lines.join('\n')}\n${diagnostics.explain(runner, '')}`);
    }
  };
  await runJitpStackFlow(step, { runner, diagnostics, workDirectory: work, devices: DEVICES });
  const output = lines.join('\n');
  for (const device of DEVICES) {
    expect(output).toMatch(new RegExp(`ok {4}${device.name}: ${device.keyAlgorithm} certificate .*: [0-9a-f]{12}\\.\\.\\., .*: OK`));
    expect(output).toMatch(new RegExp(`ok {4}${device.name} \\(${device.client}\\): first connect provisions`));
  }
  expect(output).toMatch(/ok {4}the same CSR again returns the same certificate/);
  expect(output).toMatch(/ok {4}the registry: .*demo-sensor-kms-ec, demo-sensor-kms-rsa: ACTIVE/);
});

describe('the CA the flow registered', () => {
  let caId: string;
  let caPem: string;
  let objects: Map<string, string>;

  beforeAll(async () => {
    const { certificates } = await iot.send(new ListCACertificatesCommand({}));
    expect(certificates).toHaveLength(1);
    caId = certificates![0].certificateId!;
    objects = await vaultObjects(caId);
    caPem = objects.get('ca.cert.pem')!;
  });

  test('the vault holds the certificate, a record naming the KMS key, and no private key', () => {
    const files = [...objects.keys()].filter((key) => !key.startsWith('issued/')).sort();
    expect(files).toEqual(['ca.cert.pem', 'ca.json', 'ca.kms_key.json', 'ca.public_key.pem', 'verification.cert.pem']);
    for (const [key, body] of objects) expect({ key, privateKey: /PRIVATE KEY/.test(body) }).toEqual({ key, privateKey: false });
    expect(JSON.parse(objects.get('ca.kms_key.json')!)).toEqual({
      keyArn: expect.stringMatching(new RegExp(`^arn:aws:kms:${runner.region}:${runner.accountId}:key/`)),
      keySpec: 'ECC_NIST_P256',
      signingAlgorithm: 'ECDSA_SHA_256',
    });
    expect(JSON.parse(objects.get('ca.json')!)).toMatchObject({ keyStorage: 'KMS', source: 'generated' });
    expect(opensslVerify(caPem, caPem)).toMatch(/cert\.pem: OK$/);
    expect(opensslVerify(caPem, objects.get('verification.cert.pem')!)).toMatch(/cert\.pem: OK$/);
  });

  test('the key: SIGN_VERIFY, tagged with its CA, its public key the CA certificate\'s; no one but the stack\'s functions may sign', async () => {
    const { keyArn } = JSON.parse(objects.get('ca.kms_key.json')!);
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(KeyMetadata).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled', SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(KeyMetadata!.Description).toMatch(/^CA key of cdk-iot-security \(JitpDemo\/.+\): Demo JITP CA$/);
    const { Tags } = await kms.send(new ListResourceTagsCommand({ KeyId: keyArn }));
    expect(Object.fromEntries(Tags!.map((tag) => [tag.TagKey, tag.TagValue]))).toEqual({
      'cdk-iot-security:registrar': expect.stringMatching(/^JitpDemo\//),
      'cdk-iot-security:ca-certificate-id': caId,
    });
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
    expect(Buffer.from(PublicKey!)).toEqual(new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' }));
    expect(createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // The runner's administrator may do anything by IAM, yet the key policy denies it kms:Sign.
    await expect(kms.send(new SignCommand({ KeyId: keyArn, Message: Buffer.alloc(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/kms:Sign .*resource-based policy/) });
  });

  test('the vault refuses a CA private key, even from the administrator', async () => {
    await expect(s3.send(new PutObjectCommand({ Bucket: vaultBucket, Key: `${caId}/ca.private_key.pem`, Body: 'not a key' })))
      .rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

test('an RSA-2048 CA in KMS: its device certificates are signed RSASSA-PKCS1-v1_5 with SHA-256, and openssl verifies them', async () => {
  const outputs = runner.stacks.find((stack) => stack.stackName === JITP_STACK)!.outputs;
  const credentials = runner.adminCredentials;
  const registered = await signedRequest(runner.localUrl(outputs.CaRegisterUrl), {
    method: 'POST',
    region: runner.region,
    credentials,
    body: JSON.stringify({ keyAlgorithm: 'RSA-2048', csrSubjects: { commonName: 'KMS RSA CA' }, verifierName: 'allowList' }),
  });
  expect({ status: registered.status, text: registered.status === 200 ? '' : registered.text }).toEqual({ status: 200, text: '' });
  const caPem: string = registered.json.caCertificatePem;
  expect(opensslVerify(caPem, caPem)).toMatch(/OK$/);
  const directory = mkdtempSync(join(work, 'rsa-'));
  const files = await getDeviceCertificate({
    apiUrl: runner.localUrl(outputs.DeviceCertificateGenerateUrl),
    region: runner.region,
    credentials,
    caCertificateId: registered.json.caCertificateId,
    commonName: 'demo-sensor-kms-rsa-ca',
    organizationName: 'cdk-iot-security-demo',
    keyAlgorithm: 'ECDSA-P256',
    serverKey: false,
  }, directory);
  const certificatePem = readFileSync(files.certPath, 'utf8');
  expect(opensslVerify(caPem, certificatePem)).toMatch(/cert\.pem: OK$/);
  expect(new X509Certificate(certificatePem).issuer).toBe('CN=KMS RSA CA');
  expect(execFileSync('openssl', ['x509', '-noout', '-text', '-in', files.certPath], { encoding: 'utf8' })).toContain('Signature Algorithm: sha256WithRSAEncryption');
  const objects = await vaultObjects(registered.json.caCertificateId);
  expect(JSON.parse(objects.get('ca.kms_key.json')!)).toMatchObject({ keySpec: 'RSA_2048', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
  expect(objects.has('ca.private_key.pem')).toBe(false);
});
