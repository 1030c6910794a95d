/**
 * The device side of JITP's certificate API: make a key and a CSR on the device with openssl (the
 * key never leaves it), or ask the API to make the key (`--server-key`, for devices that cannot),
 * then POST /deviceCertificateGenerate signed with SigV4 and write what the device needs to connect.
 * Run: npx ts-node --project tsconfig.dev.json demo/jitp/get-certificate.ts --help
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HttpAnswer, signedRequest, SigningCredentials } from '../../cli/src/aws/signed-request';
import { CONSOLE_OUTPUT, DeviceOutput, runAsScript } from '../shared/device-cli';
import { requiredOption, UsageError } from '../shared/option-readers';

/** Key algorithms a device can make with openssl, as the API names them. */
const OPENSSL_KEYS: Record<string, string[]> = {
  'ECDSA-P256': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ECDSA-P384': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  'RSA-2048': ['-newkey', 'rsa:2048'],
  'RSA-3072': ['-newkey', 'rsa:3072'],
};
/** Subject values this script passes to openssl's -subj unescaped. */
const PLAIN_VALUE = /^[A-Za-z0-9 ._:-]{1,64}$/;

export interface CertificateRequest {
  readonly apiUrl: string;
  readonly caCertificateId: string;
  readonly commonName: string;
  readonly organizationName?: string;
  readonly keyAlgorithm: string;
  /** Ask the API to make the key instead of making it here. */
  readonly serverKey: boolean;
  readonly region: string;
  readonly credentials: SigningCredentials;
}

export interface DeviceFiles {
  readonly certificateId: string;
  /** The device certificate followed by its CA: what the device sends in the TLS handshake. */
  readonly chainPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Amazon Root CA 1 and 3, for the device's server trust on AWS. */
  readonly amazonRootsPath: string;
  readonly endpoint: string;
  /** The CSR the device sent (undefined with a server-made key): sending it again returns the same certificate. */
  readonly csrPem?: string;
}

/** A key and CSR made as device tooling makes them: openssl, the key written 0600 and never sent. */
export function makeKeyAndCsr(keyAlgorithm: string, subject: { commonName: string; organizationName?: string }, keyPath: string): string {
  const keyOptions = OPENSSL_KEYS[keyAlgorithm];
  if (!keyOptions) throw new UsageError(`--key-algorithm must be one of ${Object.keys(OPENSSL_KEYS).join(', ')}`);
  for (const value of [subject.commonName, subject.organizationName].filter((v): v is string => v !== undefined)) {
    if (!PLAIN_VALUE.test(value)) throw new UsageError(`subject value ${JSON.stringify(value)}: use letters, digits, space and ._:- only`);
  }
  const dn = `${subject.organizationName ? `/O=${subject.organizationName}` : ''}/CN=${subject.commonName}`;
  const scratch = mkdtempSync(join(tmpdir(), 'jitp-csr-'));
  try {
    const csrPath = join(scratch, 'device.csr.pem');
    execFileSync('openssl', ['req', '-new', ...keyOptions, '-nodes', '-keyout', keyPath, '-subj', dn, '-out', csrPath], { stdio: 'pipe' });
    return readFileSync(csrPath, 'utf8');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** POST /deviceCertificateGenerate, as the device's provisioning tool calls it. */
export function postDeviceCertificateRequest(request: Pick<CertificateRequest, 'apiUrl' | 'region' | 'credentials'>, body: unknown): Promise<HttpAnswer> {
  return signedRequest(request.apiUrl, { method: 'POST', body: JSON.stringify(body), region: request.region, credentials: request.credentials });
}

/** Gets a certificate for the device and writes its files into `directory`; throws with the API's answer when refused. */
export async function getDeviceCertificate(request: CertificateRequest, directory: string): Promise<DeviceFiles> {
  const path = (suffix: string) => join(directory, `${request.commonName}.${suffix}`);
  const keyPath = path('key.pem');
  const csrPem = request.serverKey
    ? undefined
    : makeKeyAndCsr(request.keyAlgorithm, { commonName: request.commonName, organizationName: request.organizationName }, keyPath);
  const body = csrPem
    ? { caCertificateId: request.caCertificateId, csrPem }
    : {
      caCertificateId: request.caCertificateId,
      keyAlgorithm: request.keyAlgorithm,
      subject: { commonName: request.commonName, ...(request.organizationName ? { organizationName: request.organizationName } : {}) },
    };
  const answer = await postDeviceCertificateRequest(request, body);
  if (answer.status !== 200) throw new Error(`POST /deviceCertificateGenerate answered ${answer.status}: ${answer.text}`);
  const issued = answer.json;
  if (issued.privateKeyPem) writeFileSync(keyPath, issued.privateKeyPem, { mode: 0o600 });
  writeFileSync(path('cert.pem'), issued.certificatePem);
  writeFileSync(path('chain.pem'), issued.certificateChainPem);
  const amazonRootsPath = join(directory, 'amazon-root-cas.pem');
  writeFileSync(amazonRootsPath, Object.values(issued.amazonRootCaPems as Record<string, string>).join('\n'));
  return {
    certificateId: issued.certificateId,
    chainPath: path('chain.pem'),
    certPath: path('cert.pem'),
    keyPath,
    amazonRootsPath,
    endpoint: issued.endpoint,
    csrPem,
  };
}

const USAGE = [
  'options: --api-url URL --ca-id ID --name CN [--organization O] [--key-algorithm ECDSA-P256] [--server-key] [--out-dir .] [--region $AWS_REGION]',
  '  --api-url: the stack\'s DeviceCertificateGenerateUrl output; credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN',
  '  --server-key: the API makes the key (returned once); without it the key and CSR are made here with openssl',
].join('\n');

/** The script's main, for tests: returns the exit code (0 written, 1 refused, 2 bad arguments). */
export async function main(argv: readonly string[], out: DeviceOutput = CONSOLE_OUTPUT, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes('--help')) {
    out.info(USAGE);
    return 0;
  }
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        'api-url': { type: 'string' },
        'ca-id': { type: 'string' },
        'name': { type: 'string' },
        'organization': { type: 'string' },
        'key-algorithm': { type: 'string', default: 'ECDSA-P256' },
        'server-key': { type: 'boolean', default: false },
        'out-dir': { type: 'string', default: '.' },
        'region': { type: 'string' },
      },
    });
    const region = values.region ?? env.AWS_REGION;
    if (!region) throw new UsageError('--region (or AWS_REGION) is required');
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new UsageError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set to sign the request');
    const files = await getDeviceCertificate({
      apiUrl: requiredOption(values, 'api-url'),
      caCertificateId: requiredOption(values, 'ca-id'),
      commonName: requiredOption(values, 'name'),
      organizationName: values.organization,
      keyAlgorithm: values['key-algorithm']!,
      serverKey: values['server-key']!,
      region,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
    }, values['out-dir']!);
    out.info(`certificate ${files.certificateId} written: ${files.chainPath} (send this chain), ${files.keyPath}, ${files.amazonRootsPath}`);
    out.info(`connect: mosquitto_pub -h ${files.endpoint} -p 8883 --cafile ${files.amazonRootsPath} --cert ${files.chainPath} --key ${files.keyPath} `
      + '-i <CN> -t things/<CN>/hello -m hi   (the first connect provisions and is closed: retry)');
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error(`error: ${(error as Error).message} (see --help)`);
      return 2;
    }
    out.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  runAsScript((argv) => main(argv));
}
