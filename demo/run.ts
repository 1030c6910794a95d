/**
 * `npm run demo`, the main job: synthesizes the demo apps as a user would,
 * checks them with cdk-nag, and walks the device PKI a JITR device uses
 * (CA, verification certificate, RSA and ECDSA device certificates, each
 * checked by `openssl verify`), then runs a JITR device against the local
 * cloud with the activator's domain code in-process. Running the synthesized
 * stack itself (bundled Lambdas, API Gateway, SQS) is the runner's job (issue 4).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runLocalJitrFlow } from './jitr/local-flow';
import {
  createCaCertificate,
  createVerificationCertificate,
  inspectCertificate,
  issueDeviceCertificateWithNewKey,
  KeyAlgorithm,
} from '../lambda-assets/shared/pki';

const root = resolve(__dirname, '..');
let failures = 0;

async function step(title: string, run: () => Promise<string> | string): Promise<void> {
  const started = Date.now();
  try {
    const detail = await run();
    console.log(`  ok    ${title} (${Date.now() - started} ms)${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    failures += 1;
    console.log(`  FAIL  ${title}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function synthJitrDemo(): string {
  execFileSync('npx', ['cdk', 'synth', '--quiet'], { cwd: join(root, 'demo', 'jitr'), stdio: ['ignore', 'ignore', 'pipe'] });
  const template = JSON.parse(readFileSync(join(root, '.demo', 'jitr', 'cdk.out', 'JitrDemo.template.json'), 'utf8'));
  const counts = new Map<string, number>();
  for (const resource of Object.values<any>(template.Resources)) counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  for (const required of ['AWS::IoT::TopicRule', 'AWS::IoT::Policy', 'AWS::SQS::Queue', 'AWS::ApiGateway::Method', 'AWS::S3::Bucket']) {
    if (!counts.has(required)) throw new Error(`the template has no ${required}`);
  }
  return `${Object.keys(template.Resources).length} resources (${[...counts].map(([type, n]) => `${n} ${type.replace('AWS::', '')}`).join(', ')})`;
}

function opensslVerify(dir: string, caPem: string, certPem: string, name: string): string {
  writeFileSync(join(dir, 'ca.pem'), caPem);
  writeFileSync(join(dir, `${name}.pem`), certPem);
  return execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, `${name}.pem`)], { encoding: 'utf8' }).trim();
}

async function main(): Promise<void> {
  console.log('cdk-iot-security demo');
  console.log('JustInTimeRegistration');
  await step('synthesize demo/jitr (cdk synth)', synthJitrDemo);

  const dir = mkdtempSync(join(tmpdir(), 'cdk-iot-security-demo-'));
  const ca = await createCaCertificate({ subject: { commonName: 'Demo Fleet CA', organizationName: 'cdk-iot-security' }, keyAlgorithm: 'ECDSA-P256', validityDays: 3650 });
  await step('make a CA (ECDSA P-256, CA:TRUE)', () => {
    const info = inspectCertificate(ca.certificatePem);
    if (!info.isCa) throw new Error('the CA certificate is not a CA');
    return `id ${ca.certificateId.slice(0, 16)}...`;
  });
  await step('make the verification certificate (CN = registration code)', async () => {
    const verification = await createVerificationCertificate(ca.authority, 'demo0registration0code');
    return opensslVerify(dir, ca.certificatePem, verification.certificatePem, 'verification');
  });
  for (const keyAlgorithm of ['RSA-2048', 'ECDSA-P256'] as KeyAlgorithm[]) {
    await step(`issue a ${keyAlgorithm} device certificate`, async () => {
      const device = await issueDeviceCertificateWithNewKey(ca.authority, {
        keyAlgorithm,
        subject: { commonName: `demo-device-${keyAlgorithm.toLowerCase()}` },
        validityDays: 365,
      });
      return opensslVerify(dir, ca.certificatePem, device.certificatePem, keyAlgorithm);
    });
  }
  console.log('JustInTimeRegistration on the local cloud');
  try {
    await runLocalJitrFlow(step);
  } catch (error) {
    failures += 1;
    console.log(`  FAIL  local JITR flow: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log(failures === 0 ? 'demo: all steps passed' : `demo: ${failures} step(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

void main();
