/**
 * JITR with CA keys in AWS KMS, as a factory runs it: cdk-iot-security-cli in its own process
 * against a synthesized JustInTimeRegistration stack (caKeyStorage KMS, one caKeySigners role) on
 * the local cloud's stack runner, nothing of ours mocked. The stack's /caRegister makes the CA key
 * in the local KMS, registers the CA and answers the key's ARN; `device cert --kms-key`, run with
 * the signer role's credentials, signs device certificates through KMS Sign (ECC_NIST_P256 and RSA_2048 keys);
 * openssl verifies them, and `device connect` gets the device in and ACTIVE. Anyone the key
 * policy does not name is refused, and a key that is not the CA's is refused before it signs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeCertificateCommand } from '@aws-sdk/client-iot';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { openssl } from './support/run-cli';
import { describeRun, jsonOf } from './support/stack-cli-process';
import { expectExit, opensslVerify, permissions, startStackCloud, type StackCloud } from './support/stack-local-cloud';
import { EXIT } from '../../cli/src/exit-codes';
import { verifierFunction } from '../../demo/shared/verifier-function';
import { CaKeyStorage, JustInTimeRegistration } from '../../src';
import { synthesizeDemo } from '../demo/support/jitr-demo-assembly';

jest.setTimeout(120_000);

const STACK = 'JitrKmsCli';
const VERIFIER = 'allowList';
const ALLOW_LIST_VERIFIER = `
exports.handler = async (input) => {
  const cn = (input.subject && input.subject.commonName) || '';
  return cn.startsWith('factory-') ? { verified: true } : { verified: false, reason: 'not a factory device' };
};
`;

/** A JITR stack whose CA keys KMS holds, and the factory's role the key policies name as a signer. */
function jitrKmsStack(app: App): void {
  const stack = new Stack(app, STACK);
  const factory = new iam.Role(stack, 'FactorySigner', { assumedBy: new iam.AccountRootPrincipal() });
  const allowList = verifierFunction(stack, 'AllowListVerifier', { code: ALLOW_LIST_VERIFIER });
  const jitr = new JustInTimeRegistration(stack, 'Jitr', { verifiers: { allowList }, caKeyStorage: CaKeyStorage.KMS, caKeySigners: [factory] });
  new CfnOutput(stack, 'CaRegisterUrl', { value: jitr.api.urlForPath('/caRegister') });
  new CfnOutput(stack, 'FactorySignerRoleArn', { value: factory.roleArn });
}

let cloud: StackCloud;
/** What the factory exports: its role's credentials and the KMS endpoint (the stack environment gives IoT's). */
let factoryEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  cloud = await startStackCloud(synthesizeDemo('jitr-kms-cli', jitrKmsStack), 'jitr-kms');
  const { accessKeyId, secretAccessKey, sessionToken } = cloud.runner.iam.credentialsFor(cloud.outputs(STACK).FactorySignerRoleArn);
  factoryEnv = {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
    AWS_ENDPOINT_URL_KMS: cloud.runner.endpoints.KMS,
  };
}, 180_000);

afterAll(async () => {
  await cloud?.close();
});

interface KmsCa {
  readonly id: string;
  readonly certFile: string;
  readonly keyArn: string;
}

/**
 * `ca register --api` with no --ca-cert: the stack makes the CA, its key in KMS, and answers the
 * key's ARN, which is all a factory gets: it never reads the vault.
 */
async function registerStackCa(name: string, keyAlgorithm: string): Promise<KmsCa> {
  const registered = jsonOf(expectExit(await cloud.cli(['ca', 'register', '--api', cloud.localUrl(STACK, 'CaRegisterUrl'),
    '--key-algorithm', keyAlgorithm, '--common-name', name, '--verifier', VERIFIER, '--json']), EXIT.OK));
  expect(registered).toMatchObject({ keyStorage: 'KMS', kmsKeyArn: expect.stringMatching(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/) });
  const certFile = join(cloud.directory(name), 'ca.cert.pem');
  writeFileSync(certFile, registered.caCertificatePem);
  expect(await cloud.vaultKeys(registered.caCertificateId)).not.toContain('ca.private_key.pem');
  return { id: registered.caCertificateId, certFile, keyArn: registered.kmsKeyArn };
}

/** The certificate's signature algorithm as openssl names it. */
const signatureAlgorithmOf = (file: string) => /Signature Algorithm: (\S+)/.exec(openssl('x509', '-in', file, '-noout', '-text').stdout)![1];

describe('an ECC_NIST_P256 CA key: the factory signs, the device connects and is activated', () => {
  let ca: KmsCa;
  let device: { certificateId: string; certificateFile: string; chainFile: string; privateKeyFile: string; kmsKeyArn: string };

  beforeAll(async () => {
    ca = await registerStackCa('JITR KMS CLI P-256 CA', 'ECDSA-P256');
  });

  test('device cert --ca-cert --kms-key as the signer role: a new key (0600), the chain, a certificate openssl verifies', async () => {
    const run = expectExit(await cloud.cli(['device', 'cert', '--ca-cert', ca.certFile, '--kms-key', ca.keyArn,
      '--common-name', 'factory-p256', '--out-dir', 'devices-p256', '--json'], factoryEnv), EXIT.OK);
    device = jsonOf(run);
    expect(device).toMatchObject({ kmsKeyArn: ca.keyArn, subject: 'CN=factory-p256', certificateFile: join(cloud.work, 'devices-p256', 'factory-p256.cert.pem') });
    expect(permissions(device.privateKeyFile)).toBe('600');
    expect(readFileSync(device.chainFile, 'utf8')).toBe(readFileSync(device.certificateFile, 'utf8') + readFileSync(ca.certFile, 'utf8').trim() + '\n');
    await expect(opensslVerify(ca.certFile, device.certificateFile)).resolves.toBe(`${device.certificateFile}: OK`);
    expect(signatureAlgorithmOf(device.certificateFile)).toBe('ecdsa-with-SHA256');
  });

  test('device connect: the first connect registers it, the activator activates it, a retry gets in', async () => {
    const run = await cloud.cli(['device', 'connect', '--cert', device.chainFile, '--key', device.privateKeyFile,
      '--root-ca', cloud.serverCaFile, '--base-delay-ms', '300', '--json']);
    if (run.code !== EXIT.OK) throw new Error(`${describeRun(run)}\nthe stack: ${cloud.explain(`$aws/events/certificates/registered/${ca.id}`)}`);
    expect(jsonOf(run)).toMatchObject({ clientId: 'factory-p256', published: true });
    const { certificateDescription } = await cloud.iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    expect(certificateDescription).toMatchObject({ status: 'ACTIVE', caCertificateId: ca.id });
  });

  test('the administrator is no signer: KMS denies Sign (exit 5), the hint names caKeySigners, and nothing is written', async () => {
    const run = expectExit(await cloud.cli(['device', 'cert', '--ca-cert', ca.certFile, '--kms-key', ca.keyArn,
      '--common-name', 'factory-admin', '--out-dir', 'devices-admin'], { AWS_ENDPOINT_URL_KMS: cloud.runner.endpoints.KMS }), EXIT.REFUSED);
    expect(run.stderr).toMatch(/error: AWS KMS refused Sign: AccessDeniedException: .*kms:Sign/);
    expect(run.stderr).toMatch(/caKeySigners/);
    expect(run.stdout).toBe('');
    expect(() => readFileSync(join(cloud.work, 'devices-admin', 'factory-admin.key.pem'))).toThrow(/ENOENT/);
  });

  test('a key that does not exist: exit 5, check the key and the Region', async () => {
    const missing = ca.keyArn.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000');
    const run = expectExit(await cloud.cli(['device', 'cert', '--ca-cert', ca.certFile, '--kms-key', missing,
      '--common-name', 'factory-missing', '--out-dir', 'devices-missing'], factoryEnv), EXIT.REFUSED);
    expect(run.stderr).toMatch(/AWS KMS refused GetPublicKey: NotFoundException/);
    expect(run.stderr).toMatch(/Region/);
  });
});

describe('an RSA_2048 CA key', () => {
  let rsa: KmsCa;

  beforeAll(async () => {
    rsa = await registerStackCa('JITR KMS CLI RSA CA', 'RSA-2048');
  });

  test('device cert --csr --kms-key with --endpoint-url: signed sha256WithRSAEncryption, openssl verifies, no key written', async () => {
    const csr = jsonOf(expectExit(await cloud.cli(['device', 'csr', '--common-name', 'factory-rsa', '--out-dir', 'csr-rsa', '--json']), EXIT.OK));
    const { AWS_ENDPOINT_URL_KMS: kmsEndpoint, ...signer } = factoryEnv;
    const run = expectExit(await cloud.cli(['device', 'cert', '--ca-cert', rsa.certFile, '--kms-key', rsa.keyArn, '--endpoint-url', kmsEndpoint!,
      '--csr', csr.csrFile, '--out-dir', 'devices-rsa', '--json'], signer), EXIT.OK);
    const device = jsonOf(run);
    expect(device).toMatchObject({ kmsKeyArn: rsa.keyArn, privateKeyFile: null, subject: 'CN=factory-rsa' });
    await expect(opensslVerify(rsa.certFile, device.certificateFile)).resolves.toBe(`${device.certificateFile}: OK`);
    expect(signatureAlgorithmOf(device.certificateFile)).toBe('sha256WithRSAEncryption');
  });

  test('the RSA CA\'s certificate with the P-256 CA\'s key: refused before signing (exit 2)', async () => {
    const other = await registerStackCa('JITR KMS CLI other CA', 'ECDSA-P256');
    const run = expectExit(await cloud.cli(['device', 'cert', '--ca-cert', rsa.certFile, '--kms-key', other.keyArn,
      '--common-name', 'factory-mismatch', '--out-dir', 'devices-mismatch'], factoryEnv), EXIT.USAGE);
    expect(run.stderr).toContain(`error: --kms-key ${other.keyArn} is not the key of --ca-cert ${rsa.certFile}: their public keys differ`);
  });
});
