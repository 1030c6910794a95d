/**
 * JITR on the synthesized JitrDemo stack, run by the local runner: the stack's own API, vault,
 * topic rule, queue and activator Lambda do the work, each under its own IAM role.
 *
 * 1. POST /caRegister unsigned is refused (AWS_IAM); signed with SigV4 it makes a CA and keeps its
 *    key in the vault, where the demo user can read the certificate but not the private key.
 * 2. A factory CA (its key stays with the factory) is registered through the same API with a
 *    verification certificate; the factory issues an ECDSA P-256 device certificate.
 * 3. The device connects with aws-iot-device-sdk-v2: the first connect registers the certificate
 *    and is closed, the activator activates it, the retry publishes and receives on its own topic.
 * 4. The registry shows the thing, the ACTIVE certificate and the device policy attached.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { main as sdkV2Device } from './device-sdk-v2';
import { signedRequest } from '../../cli/src/aws/signed-request';
import { createCaCertificate, createVerificationCertificate, issueDeviceCertificateWithNewKey } from '../../lambda-assets/shared/pki';
import type { RunningStacks } from '../../local/runner/stack-runner';
import type { StackDiagnostics } from '../shared/stack-diagnostics';

export const JITR_STACK = 'JitrDemo';

/** Runs one step: resolves with a short detail, rejects with why it failed (the flow stops there). */
export type FlowStep = (title: string, run: () => Promise<string>) => Promise<void>;

export interface JitrStackFlowOptions {
  readonly runner: RunningStacks;
  readonly diagnostics: StackDiagnostics;
  /** Where the device's files go. */
  readonly workDirectory: string;
  /** @default 'demo-device-1' (the demo's verifier allows CNs starting demo-device-) */
  readonly deviceName?: string;
  /** Connection attempts the device makes before giving up. @default 8 */
  readonly deviceAttempts?: number;
}

export async function runJitrStackFlow(step: FlowStep, options: JitrStackFlowOptions): Promise<void> {
  const { runner, diagnostics, workDirectory } = options;
  const deviceName = options.deviceName ?? 'demo-device-1';
  const outputs = runner.stacks.find((stack) => stack.stackName === JITR_STACK)?.outputs;
  if (!outputs) throw new Error(`stack ${JITR_STACK} is not running`);
  const caRegisterUrl = runner.localUrl(outputs.CaRegisterUrl);
  const credentials = runner.adminCredentials;
  const clientConfig = { region: runner.region, credentials };
  const iot = new IoTClient({ ...clientConfig, endpoint: runner.endpoints.IOT });
  const s3 = new S3Client({ ...clientConfig, endpoint: runner.endpoints.S3 });
  const file = (name: string, content: string) => {
    const path = join(workDirectory, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const caRegister = (body: unknown, signed = true) =>
    signedRequest(caRegisterUrl, { method: 'POST', body: JSON.stringify(body), region: runner.region, credentials: signed ? credentials : undefined });

  try {
    await step('POST /caRegister without a signature is refused', async () => {
      const answer = await caRegister({ csrSubjects: { commonName: 'Unsigned CA' } }, false);
      if (answer.status !== 403) throw new Error(`expected 403, got ${answer.status}: ${answer.text}`);
      return `403 ${answer.text}`;
    });

    let generatedCaId = '';
    let generatedCaPem = '';
    await step('POST /caRegister signed with SigV4: the stack makes a CA (ECDSA P-256) and registers it', async () => {
      const answer = await caRegister({ csrSubjects: { commonName: 'Demo Generated CA', organizationName: 'cdk-iot-security' }, keyAlgorithm: 'ECDSA-P256' });
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}; ${diagnostics.explain(runner, '')}`);
      generatedCaId = answer.json.caCertificateId;
      generatedCaPem = answer.json.caCertificatePem;
      return `CA ${generatedCaId.slice(0, 16)}... registered`;
    });

    await step('read the CA from the vault: certificate readable, private key refused to all but the registrator', async () => {
      const bucket = vaultBucket(runner);
      const certificate = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${generatedCaId}/ca.cert.pem` }));
      const stored = await certificate.Body!.transformToString('utf8');
      if (stored.trim() !== generatedCaPem.trim()) throw new Error('the vault holds a different CA certificate than the API returned');
      const refusal = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${generatedCaId}/ca.private_key.pem` })).then(
        () => undefined,
        (error: Error) => error.name,
      );
      if (refusal !== 'AccessDenied') throw new Error(`reading the CA private key should be AccessDenied, got ${refusal ?? 'the key'}`);
      return `s3://${bucket}/${generatedCaId.slice(0, 8)}.../ca.cert.pem (SSE-KMS), ca.private_key.pem: AccessDenied`;
    });

    const factoryCa = await createCaCertificate({ subject: { commonName: 'Demo Factory CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    let factoryCaId = '';
    await step('register a factory CA (key kept by the factory) through POST /caRegister with a verification certificate', async () => {
      const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
      const verification = await createVerificationCertificate(factoryCa.authority, registrationCode!);
      const answer = await caRegister({ caCertificatePem: factoryCa.certificatePem, verificationCertificatePem: verification.certificatePem, verifierName: 'allowList' });
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}`);
      factoryCaId = answer.json.caCertificateId;
      return `CA ${factoryCaId.slice(0, 16)}..., verifier allowList`;
    });

    const device = await issueDeviceCertificateWithNewKey(factoryCa.authority, {
      keyAlgorithm: 'ECDSA-P256', subject: { commonName: deviceName }, validityDays: 30,
    });
    const paths = {
      cert: file('device.pem', device.certificatePem),
      key: file('device.key.pem', device.privateKeyPem),
      caChain: file('factory-ca.pem', factoryCa.certificatePem),
    };
    await step(`issue device certificate ${deviceName} (ECDSA P-256) from the factory CA`, async () =>
      execFileSync('openssl', ['verify', '-CAfile', paths.caChain, paths.cert], { encoding: 'utf8' }).trim());

    await step('device (aws-iot-device-sdk-v2): first connect closed, the stack activates it, the retry publishes and receives', async () => {
      const lines: string[] = [];
      const code = await sdkV2Device([
        '--endpoint', 'localhost', '--port', String(runner.cloud.mqtt.port),
        '--cert', paths.cert, '--key', paths.key, '--ca-chain', paths.caChain,
        '--root-ca', runner.cloud.serverIdentity.caCertificatePath,
        '--base-delay-ms', '300', '--max-attempts', String(options.deviceAttempts ?? 8), '--receive',
      ], { info: (line) => lines.push(line), error: (line) => lines.push(line) });
      if (code !== 0) {
        // Let the stack finish what it was doing with the device's events (on a busy machine the activator
        // may still be running when the device gives up), so the explanation has its outcome.
        await runner.settled(5_000).catch(() => undefined);
        const why = diagnostics.explain(runner, `$aws/events/certificates/registered/${factoryCaId}`);
        throw new Error(`the device was not accepted (${lines[lines.length - 1]}); ${why}`);
      }
      return lines.filter((line) => line.startsWith('attempt') || line.startsWith('received')).map((line) => line.replace(/; next attempt.*/, '')).join(' -> ');
    });

    await step('the registry: thing, ACTIVE certificate, device policy attached', async () => {
      const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
      const { principals } = await iot.send(new ListThingPrincipalsCommand({ thingName: deviceName }));
      const { policies } = await iot.send(new ListAttachedPoliciesCommand({ target: certificateDescription!.certificateArn }));
      if (certificateDescription?.status !== 'ACTIVE') throw new Error(`certificate is ${certificateDescription?.status}`);
      if (!principals?.includes(certificateDescription.certificateArn!)) throw new Error(`thing ${deviceName} principals: ${JSON.stringify(principals)}`);
      if (!policies?.some((policy) => policy.policyName === outputs.DevicePolicyName)) {
        throw new Error(`attached policies ${JSON.stringify(policies)}, expected ${outputs.DevicePolicyName}`);
      }
      return `thing ${deviceName}, certificate ${device.certificateId.slice(0, 12)}... ACTIVE, policy ${outputs.DevicePolicyName}`;
    });
  } finally {
    iot.destroy();
    s3.destroy();
  }
}

/** The vault bucket, as the CA registrator is configured with it. */
function vaultBucket(runner: RunningStacks): string {
  const variables = (fn: { properties: Record<string, unknown> }) =>
    (fn.properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
  const registrator = runner.resourcesOfType('AWS::Lambda::Function').find((fn) => fn.stackName === JITR_STACK && variables(fn).VAULT_BUCKET);
  if (!registrator) throw new Error(`no function of ${JITR_STACK} has VAULT_BUCKET`);
  return variables(registrator).VAULT_BUCKET;
}
