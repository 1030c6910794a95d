/**
 * JITR against the local cloud (`local/`): a CA registered as the CA registrator
 * does it, the shared device policy, our device activator's domain code reacting
 * to the registration event through a real IoTClient, and a device on
 * aws-iot-device-sdk-v2 whose first connect is closed and whose retry publishes.
 *
 * Until the runner (which executes the synthesized stack itself) exists, the
 * activator runs here in-process rather than as the bundled Lambda behind SQS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreatePolicyCommand,
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  IoTClient,
  ListThingPrincipalsCommand,
  RegisterCACertificateCommand,
} from '@aws-sdk/client-iot';
import { main as sdkV2Device } from './device-sdk-v2';
import { activateDevice } from '../../lambda-assets/device-activator/activate-device';
import { cachedCaOwnership } from '../../lambda-assets/device-activator/ca-ownership';
import { parseRegisteredEvent } from '../../lambda-assets/device-activator/registered-event';
import { ownershipTags } from '../../lambda-assets/shared/iot/ownership-tags';
import { createLogger } from '../../lambda-assets/shared/logging/logger';
import { createCaCertificate, createVerificationCertificate, issueDeviceCertificateWithNewKey } from '../../lambda-assets/shared/pki';
import { startLocalCloud } from '../../local/local-cloud';
import { defaultDevicePolicyDocument } from '../shared/default-device-policy';

const REGISTRAR_ID = 'JitrDemo/local';
type Step = (title: string, run: () => Promise<string>) => Promise<void>;

export async function runLocalJitrFlow(step: Step): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-iot-security-local-jitr-'));
  const cloud = await startLocalCloud({ stateDirectory: dir, rateLimits: true });
  const iot = new IoTClient({ endpoint: cloud.controlPlaneUrl, region: cloud.model.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const activations: Promise<unknown>[] = [];
  try {
    await step('start the local cloud', async () => `control plane ${cloud.controlPlaneUrl}, mqtt ${cloud.mqttUrl}`);
    const ca = await createCaCertificate({ subject: { commonName: 'Demo Local CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    let caCertificateId = '';
    await step('register the CA (verification certificate, auto-registration)', async () => {
      const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
      const verification = await createVerificationCertificate(ca.authority, registrationCode!);
      const registered = await iot.send(new RegisterCACertificateCommand({
        caCertificate: ca.certificatePem,
        verificationCertificate: verification.certificatePem,
        setAsActive: true,
        allowAutoRegistration: true,
        tags: ownershipTags(REGISTRAR_ID, undefined),
      }));
      caCertificateId = registered.certificateId!;
      return `CA ${caCertificateId.slice(0, 16)}...`;
    });
    const { policyName } = await iot.send(new CreatePolicyCommand({ policyName: 'DemoDevicePolicy', policyDocument: defaultDevicePolicyDocument(cloud.model.region, cloud.model.accountId) }));
    const deps = {
      iot,
      lookupCa: cachedCaOwnership(iot, REGISTRAR_ID),
      verify: async () => ({ verified: true }),
      policyName: policyName!,
      logger: createLogger({}, () => undefined),
    };
    cloud.mqtt.onMessage((message) => {
      if (message.topic === `$aws/events/certificates/registered/${caCertificateId}`) {
        activations.push(activateDevice(deps, parseRegisteredEvent(message.payload.toString())));
      }
    });

    const device = await issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'demo-device-1' }, validityDays: 30 });
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    await step('device (aws-iot-device-sdk-v2): first connect closed, activated, retry publishes', async () => {
      const lines: string[] = [];
      const code = await sdkV2Device([
        '--endpoint', 'localhost', '--port', String(cloud.mqtt.port),
        '--cert', file('device.pem', device.certificatePem), '--key', file('device.key.pem', device.privateKeyPem),
        '--ca-chain', file('ca.pem', ca.certificatePem), '--root-ca', cloud.serverIdentity.caCertificatePath,
        '--base-delay-ms', '300',
      ], { info: (line) => lines.push(line), error: (line) => lines.push(line) });
      if (code !== 0) throw new Error(lines.join(' | '));
      return lines.filter((line) => line.startsWith('attempt')).map((line) => line.replace(/; next attempt.*/, '')).join(' -> ');
    });
    await step('the registry: certificate ACTIVE, attached to thing demo-device-1', async () => {
      const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
      const { principals } = await iot.send(new ListThingPrincipalsCommand({ thingName: 'demo-device-1' }));
      if (certificateDescription?.status !== 'ACTIVE' || principals?.[0] !== certificateDescription.certificateArn) {
        throw new Error(`certificate ${certificateDescription?.status}, thing principals ${JSON.stringify(principals)}`);
      }
      return `certificate ${device.certificateId.slice(0, 16)}... ACTIVE, policy ${policyName}`;
    });
  } finally {
    await Promise.allSettled(activations);
    iot.destroy();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
