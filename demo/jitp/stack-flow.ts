/**
 * JITP on the synthesized JitpDemo stack, run by the local runner: the stack's API, vault,
 * certificate generator, verifier and provisioning template do the work, each under its own role.
 *
 * 1. POST /caRegister (SigV4) makes a CA that AWS IoT registers with the stack's JITP template.
 * 2. POST /deviceCertificateGenerate refuses bad requests (400 naming the field), a certificate
 *    the template could not provision (missing subject field) and a device the verifier rejects
 *    (403), and in every case leaves the registry as it was.
 * 3. Devices get certificates (a CSR made with openssl, or a key the API makes), checked with
 *    `openssl verify`; each connects (aws-iot-device-sdk-v2 or mosquitto_pub): the first connect
 *    provisions and is closed, the retry publishes.
 * 4. The same CSR again returns the same certificate; the registry shows one thing per device
 *    (named by its CN, its Organization as attribute), ACTIVE certificates and the shared policy.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { getDeviceCertificate, postDeviceCertificateRequest, type DeviceFiles } from './get-certificate';
import { signedRequest } from '../../cli/src/aws/signed-request';
import type { RunningStacks } from '../../local/runner/stack-runner';
import { main as sdkV2Device } from '../jitr/device-sdk-v2';
import type { FlowStep } from '../jitr/stack-flow';
import { mosquittoPubWithRetries } from '../shared/mosquitto-device';
import type { StackDiagnostics } from '../shared/stack-diagnostics';

export const JITP_STACK = 'JitpDemo';
/** A thing attribute value: AWS IoT takes no spaces there (see the InvalidSubjectValue refusal). */
const ORGANIZATION = 'cdk-iot-security-demo';

export interface JitpDemoDevice {
  /** The CN, so the thing name; the demo's verifier admits names starting demo-sensor-. */
  readonly name: string;
  readonly keyAlgorithm: 'ECDSA-P256' | 'RSA-2048';
  /** The API makes the key (returned once) instead of the device making a CSR. */
  readonly serverKey: boolean;
  readonly client: 'aws-iot-device-sdk-v2' | 'mosquitto_pub';
}

export const DEFAULT_JITP_DEVICES: readonly JitpDemoDevice[] = [
  { name: 'demo-sensor-ecdsa', keyAlgorithm: 'ECDSA-P256', serverKey: false, client: 'aws-iot-device-sdk-v2' },
  { name: 'demo-sensor-rsa', keyAlgorithm: 'RSA-2048', serverKey: true, client: 'mosquitto_pub' },
];

export interface JitpStackFlowOptions {
  readonly runner: RunningStacks;
  readonly diagnostics: StackDiagnostics;
  readonly workDirectory: string;
  /** @default DEFAULT_JITP_DEVICES */
  readonly devices?: readonly JitpDemoDevice[];
  /** Connection attempts each device makes before giving up. @default 8 */
  readonly deviceAttempts?: number;
}

export async function runJitpStackFlow(step: FlowStep, options: JitpStackFlowOptions): Promise<void> {
  const { runner, diagnostics, workDirectory } = options;
  const devices = options.devices ?? DEFAULT_JITP_DEVICES;
  const outputs = runner.stacks.find((stack) => stack.stackName === JITP_STACK)?.outputs;
  if (!outputs) throw new Error(`stack ${JITP_STACK} is not running`);
  const credentials = runner.adminCredentials;
  const api = { apiUrl: runner.localUrl(outputs.DeviceCertificateGenerateUrl), region: runner.region, credentials };
  const iot = new IoTClient({ region: runner.region, credentials, endpoint: runner.endpoints.IOT });
  const registrySize = async () => {
    const [things, certificates] = await Promise.all([iot.send(new ListThingsCommand({})), iot.send(new ListCertificatesCommand({}))]);
    return { things: things.things?.length ?? 0, certificates: certificates.certificates?.length ?? 0 };
  };

  try {
    let caId = '';
    let caPath = '';
    await step('POST /caRegister (SigV4): a CA registered with the stack\'s JITP provisioning template', async () => {
      const answer = await signedRequest(runner.localUrl(outputs.CaRegisterUrl), {
        method: 'POST',
        region: runner.region,
        credentials,
        body: JSON.stringify({ csrSubjects: { commonName: 'Demo JITP CA', organizationName: ORGANIZATION }, verifierName: 'allowList' }),
      });
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}; ${diagnostics.explain(runner, '')}`);
      caId = answer.json.caCertificateId;
      caPath = join(workDirectory, 'jitp-ca.pem');
      writeFileSync(caPath, answer.json.caCertificatePem);
      const { certificateDescription: ca, registrationConfig } = await iot.send(new DescribeCACertificateCommand({ certificateId: caId }));
      if (registrationConfig?.templateName !== outputs.ProvisioningTemplateName || ca?.autoRegistrationStatus !== 'ENABLE') {
        throw new Error(`CA registration config ${JSON.stringify(registrationConfig)}, auto-registration ${ca?.autoRegistrationStatus}`);
      }
      return `CA ${caId.slice(0, 16)}..., template ${registrationConfig.templateName}, verifier allowList`;
    });

    const before = await registrySize();
    await step('POST /deviceCertificateGenerate refuses bad requests with 400s that name the field, and creates nothing', async () => {
      const refusals: Array<[unknown, number, RegExp]> = [
        [{ keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'demo-sensor-x' } }, 400, /caCertificateId/],
        [{ caCertificateId: caId, csrPem: 'not a CSR', keyAlgorithm: 'ECDSA-P256' }, 400, /csrPem.*keyAlgorithm|keyAlgorithm.*csrPem/],
        [{ caCertificateId: caId, csrPem: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' }, 400, /csrPem/],
        [{ caCertificateId: caId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'demo-sensor-x' } }, 400,
          /MissingSubjectField.*subject\.organizationName.*AWS::IoT::Certificate::Organization/],
        [{ caCertificateId: caId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'demo-sensor-x', organizationName: 'Acme Sensors' } }, 400,
          /InvalidSubjectValue.*subject\.organizationName.*thing attribute 'organization'/],
        [{ caCertificateId: caId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'intruder-1', organizationName: ORGANIZATION } }, 403,
          /DeviceRejected.*not on the allow-list/],
      ];
      const answers: string[] = [];
      for (const [body, status, pattern] of refusals) {
        const answer = await postDeviceCertificateRequest(api, body);
        if (answer.status !== status || !pattern.test(answer.text)) {
          // Never print a 200's body: it may carry a private key.
          const got = answer.status === 200 ? `a certificate (${answer.json?.certificateId})` : answer.text;
          throw new Error(`${JSON.stringify(body).slice(0, 80)}: expected ${status} matching ${pattern}, got ${answer.status}: ${got}`);
        }
        if (/stack|at [\w.]+ \(/i.test(answer.text)) throw new Error(`the answer carries a stack trace: ${answer.text}`);
        answers.push(`${answer.status} ${answer.json?.error?.code ?? 'InvalidBody'}`);
      }
      const after = await registrySize();
      if (after.things !== before.things || after.certificates !== before.certificates) {
        throw new Error(`the registry changed: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      }
      return answers.join(', ');
    });

    const issued = new Map<string, DeviceFiles>();
    for (const device of devices) {
      const how = device.serverKey ? 'key made by the API' : 'CSR made on the device with openssl';
      await step(`${device.name}: ${device.keyAlgorithm} certificate from POST /deviceCertificateGenerate (${how})`, async () => {
        const files = await getDeviceCertificate({
          apiUrl: api.apiUrl,
          region: api.region,
          credentials,
          caCertificateId: caId,
          commonName: device.name,
          organizationName: ORGANIZATION,
          keyAlgorithm: device.keyAlgorithm,
          serverKey: device.serverKey,
        }, workDirectory);
        issued.set(device.name, files);
        const verified = execFileSync('openssl', ['verify', '-CAfile', caPath, files.certPath], { encoding: 'utf8' }).trim();
        return `${files.certificateId.slice(0, 12)}..., ${verified}`;
      });

      await step(`${device.name} (${device.client}): first connect provisions and is closed, the retry publishes`, async () => {
        const files = issued.get(device.name)!;
        return device.client === 'mosquitto_pub'
          ? connectWithMosquitto(runner, device, files, options.deviceAttempts ?? 8, diagnostics)
          : connectWithSdkV2(runner, device, files, caPath, options.deviceAttempts ?? 8, diagnostics);
      });
    }

    const csrDevice = devices.find((device) => !device.serverKey);
    if (csrDevice) {
      await step(`the same CSR again returns the same certificate (${csrDevice.name})`, async () => {
        const files = issued.get(csrDevice.name)!;
        const answer = await postDeviceCertificateRequest(api, { caCertificateId: caId, csrPem: files.csrPem });
        if (answer.status !== 200 || answer.json.certificateId !== files.certificateId) {
          throw new Error(`expected certificate ${files.certificateId}, got ${answer.status}: ${answer.json?.certificateId ?? answer.text}`);
        }
        return `certificate ${files.certificateId.slice(0, 12)}... again`;
      });
    }

    await step('the registry: a thing per device with its attribute, ACTIVE certificates, the shared policy, nothing else', async () => {
      for (const device of devices) {
        const files = issued.get(device.name)!;
        const { certificateDescription: certificate } = await iot.send(new DescribeCertificateCommand({ certificateId: files.certificateId }));
        const thing = await iot.send(new DescribeThingCommand({ thingName: device.name }));
        const { principals } = await iot.send(new ListThingPrincipalsCommand({ thingName: device.name }));
        const { policies } = await iot.send(new ListAttachedPoliciesCommand({ target: certificate!.certificateArn }));
        if (certificate?.status !== 'ACTIVE') throw new Error(`${device.name}: certificate is ${certificate?.status}`);
        if (thing.attributes?.organization !== ORGANIZATION) throw new Error(`${device.name}: attributes ${JSON.stringify(thing.attributes)}`);
        if (!principals?.includes(certificate.certificateArn!)) throw new Error(`${device.name}: principals ${JSON.stringify(principals)}`);
        if (!policies?.some((policy) => policy.policyName === outputs.DevicePolicyName)) {
          throw new Error(`${device.name}: attached policies ${JSON.stringify(policies)}, expected ${outputs.DevicePolicyName}`);
        }
      }
      const after = await registrySize();
      if (after.things !== before.things + devices.length || after.certificates !== before.certificates + devices.length) {
        throw new Error(`expected ${devices.length} new things and certificates: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      }
      return `${devices.map((device) => device.name).join(', ')}: ACTIVE, organization=${JSON.stringify(ORGANIZATION)}, policy ${outputs.DevicePolicyName}`;
    });
  } finally {
    iot.destroy();
  }
}

async function connectWithSdkV2(
  runner: RunningStacks, device: JitpDemoDevice, files: DeviceFiles, caPath: string, attempts: number, diagnostics: StackDiagnostics,
): Promise<string> {
  const lines: string[] = [];
  const code = await sdkV2Device([
    '--endpoint', 'localhost', '--port', String(runner.cloud.mqtt.port),
    '--cert', files.certPath, '--key', files.keyPath, '--ca-chain', caPath,
    // The local cloud's server CA stands in for Amazon's roots (files.amazonRootsPath on AWS).
    '--root-ca', runner.cloud.serverIdentity.caCertificatePath,
    '--base-delay-ms', '300', '--max-attempts', String(attempts), '--receive',
  ], { info: (line) => lines.push(line), error: (line) => lines.push(line) });
  if (code !== 0) throw new Error(`${device.name} was not accepted (${lines[lines.length - 1]}); ${diagnostics.explain(runner, '') || 'no stack errors logged'}`);
  if (!lines.some((line) => /^attempt 1\/\d+: failed/.test(line))) throw new Error('the first connect was accepted: JITP should have closed it while provisioning');
  return lines.filter((line) => line.startsWith('attempt') || line.startsWith('received')).map((line) => line.replace(/; next attempt.*/, '')).join(' -> ');
}

async function connectWithMosquitto(
  runner: RunningStacks, device: JitpDemoDevice, files: DeviceFiles, attempts: number, diagnostics: StackDiagnostics,
): Promise<string> {
  const runs = await mosquittoPubWithRetries({
    host: 'localhost',
    port: runner.cloud.mqtt.port,
    caFile: runner.cloud.serverIdentity.caCertificatePath,
    certChainFile: files.chainPath,
    keyFile: files.keyPath,
    clientId: device.name,
    topic: `things/${device.name}/hello`,
    message: `hello from ${device.name}`,
  }, attempts);
  const last = runs[runs.length - 1];
  if (last.code !== 0) {
    const why = diagnostics.explain(runner, '') || 'no stack errors logged';
    throw new Error(`${device.name} was not accepted: mosquitto_pub exit codes ${runs.map((run) => run.code).join(', ')}: ${last.stderr}; ${why}`);
  }
  if (runs.length < 2) throw new Error('the first connect was accepted: JITP should have closed it while provisioning');
  return `mosquitto_pub exit codes ${runs.map((run) => run.code).join(' -> ')}`;
}
