/**
 * Fleet provisioning on the synthesized FleetDemo stack, run by the local runner: the stack's
 * claim certificate (issued at deploy time by its custom resource), template, provisioning role,
 * pre-provisioning hook and verifier do the work.
 *
 * 1. The claim certificate is ACTIVE with the claim policy; its key sits in the vault, refused to
 *    the demo user and read by the factory role the stack granted.
 * 2. Devices with the claim get certificates of their own over MQTT (CreateKeysAndCertificate, and
 *    CreateCertificateFromCsr with a key that never leaves them), RegisterThing, reconnect, publish.
 * 3. A device the verifier does not know is rejected by the hook as AWS IoT rejects it, and no
 *    thing is created for it.
 * 4. A trusted app (its role may CreateProvisioningClaim) gets a temporary claim; a device uses it.
 * 5. The registry: a thing per accepted device, ACTIVE certificates, the shared policy.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateProvisioningClaimCommand,
  DescribeCertificateCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { main as fleetDevice } from './device-identity';
import type { RunningStacks } from '../../local/runner/stack-runner';
import type { FlowStep } from '../jitr/stack-flow';
import type { StackDiagnostics } from '../shared/stack-diagnostics';

export const FLEET_STACK = 'FleetDemo';

export interface FleetStackFlowOptions {
  readonly runner: RunningStacks;
  readonly diagnostics: StackDiagnostics;
  readonly workDirectory: string;
}

interface ClaimFiles {
  readonly certPath: string;
  readonly keyPath: string;
}

export async function runFleetStackFlow(step: FlowStep, options: FleetStackFlowOptions): Promise<void> {
  const { runner, diagnostics, workDirectory } = options;
  const outputs = runner.stacks.find((stack) => stack.stackName === FLEET_STACK)?.outputs;
  if (!outputs) throw new Error(`stack ${FLEET_STACK} is not running`);
  const clientConfig = (credentials: RunningStacks['adminCredentials']) => ({ region: runner.region, credentials });
  const iot = new IoTClient({ ...clientConfig(runner.adminCredentials), endpoint: runner.endpoints.IOT });
  const file = (name: string, content: string) => {
    const path = join(workDirectory, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const claimId: string = outputs.ClaimCertificateId;
  const claimKey = (name: string) => `claims/${claimId}/${name}`;

  try {
    await step('the claim certificate issued at deploy time: ACTIVE, with the claim policy attached', async () => {
      const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId: claimId }));
      const { policies } = await iot.send(new ListAttachedPoliciesCommand({ target: certificateDescription!.certificateArn }));
      if (certificateDescription?.status !== 'ACTIVE') throw new Error(`claim certificate is ${certificateDescription?.status}`);
      if (policies?.length !== 1) throw new Error(`claim certificate policies: ${JSON.stringify(policies)}`);
      return `claim ${claimId.slice(0, 12)}... ACTIVE, policy ${policies[0].policyName}`;
    });

    let claim: ClaimFiles | undefined;
    await step('the claim key in the vault: refused to the demo user, read by the factory role the stack granted', async () => {
      const asAdmin = new S3Client({ ...clientConfig(runner.adminCredentials), endpoint: runner.endpoints.S3 });
      const asFactory = new S3Client({ ...clientConfig(runner.iam.credentialsFor(outputs.FactoryRoleArn)), endpoint: runner.endpoints.S3 });
      try {
        const refusal = await asAdmin.send(new GetObjectCommand({ Bucket: outputs.VaultBucket, Key: claimKey('claim.private_key.pem') }))
          .then(() => undefined, (error: Error) => error.name);
        if (refusal !== 'AccessDenied') throw new Error(`the demo user should be refused the claim key, got ${refusal ?? 'the key'}`);
        const read = async (name: string) => {
          const object = await asFactory.send(new GetObjectCommand({ Bucket: outputs.VaultBucket, Key: claimKey(name) }));
          return object.Body!.transformToString('utf8');
        };
        claim = { certPath: file('claim.cert.pem', await read('claim.cert.pem')), keyPath: file('claim.key.pem', await read('claim.private_key.pem')) };
        return `demo user: AccessDenied; factory role: s3://${outputs.VaultBucket}/${claimKey('')}claim.{cert,private_key}.pem`;
      } finally {
        asAdmin.destroy();
        asFactory.destroy();
      }
    });

    const provision = async (serial: string, mode: 'keys' | 'csr', claimFiles: ClaimFiles) => {
      const lines: string[] = [];
      const code = await fleetDevice([
        '--endpoint', 'localhost', '--port', String(runner.cloud.mqtt.port),
        '--claim-cert', claimFiles.certPath, '--claim-key', claimFiles.keyPath,
        // The local cloud's server CA stands in for Amazon's roots.
        '--root-ca', runner.cloud.serverIdentity.caCertificatePath,
        '--template', outputs.TemplateName, '--serial', serial, '--mode', mode, '--out-dir', join(workDirectory, serial),
      ], { info: (line) => lines.push(line), error: (line) => lines.push(line) });
      return { code, lines };
    };

    for (const [serial, mode] of [['fleet-sensor-001', 'keys'], ['fleet-sensor-002', 'csr']] as const) {
      const api = mode === 'keys' ? 'CreateKeysAndCertificate' : 'CreateCertificateFromCsr (key made on the device)';
      await step(`${serial} (aws-iot-device-sdk-v2 identity client): ${api}, RegisterThing, reconnect, publish`, async () => {
        const { code, lines } = await provision(serial, mode, claim!);
        if (code !== 0) throw new Error(`${lines[lines.length - 1]}; ${diagnostics.explain(runner, '') || 'no stack errors logged'}`);
        return lines.filter((line) => /accepted|published/.test(line)).map((line) => line.replace(/ \(fields: .*\)/, '')).join(' -> ');
      });
    }

    await step('intruder-7: the hook asks the verifier, RegisterThing is rejected as AWS IoT rejects it, no thing is made', async () => {
      const { code, lines } = await provision('intruder-7', 'keys', claim!);
      const rejection = lines.find((line) => line.includes('RegisterThing rejected:'));
      if (code !== 1 || !rejection) throw new Error(`expected a RegisterThing rejection, got exit ${code}: ${lines[lines.length - 1]}`);
      const payload = JSON.parse(rejection.slice(rejection.indexOf('{')));
      if (payload.statusCode !== 403 || payload.errorCode !== 'AccessDenied' || typeof payload.errorMessage !== 'string') {
        throw new Error(`rejected payload ${JSON.stringify(payload)}, expected {statusCode: 403, errorCode: AccessDenied, errorMessage}`);
      }
      const { things } = await iot.send(new ListThingsCommand({}));
      if (things?.some((thing) => thing.thingName === 'intruder-7')) throw new Error('a thing was made for intruder-7');
      return `rejected ${JSON.stringify(payload)}; no thing intruder-7`;
    });

    await step('trusted user: the app role gets a temporary claim (CreateProvisioningClaim), fleet-sensor-003 provisions with it', async () => {
      const asApp = new IoTClient({ ...clientConfig(runner.iam.credentialsFor(outputs.TrustedAppRoleArn)), endpoint: runner.endpoints.IOT });
      try {
        const temporary = await asApp.send(new CreateProvisioningClaimCommand({ templateName: outputs.TemplateName }));
        const files = {
          certPath: file('temporary-claim.cert.pem', temporary.certificatePem!),
          keyPath: file('temporary-claim.key.pem', temporary.keyPair!.PrivateKey!),
        };
        const { code, lines } = await provision('fleet-sensor-003', 'csr', files);
        if (code !== 0) throw new Error(`${lines[lines.length - 1]}; ${diagnostics.explain(runner, '') || 'no stack errors logged'}`);
        return `claim ${temporary.certificateId!.slice(0, 12)}... until ${temporary.expiration?.toISOString()}; ${lines[lines.length - 1]}`;
      } finally {
        asApp.destroy();
      }
    });

    await step('the registry: a thing per accepted device, ACTIVE certificates, the shared device policy', async () => {
      const { things } = await iot.send(new ListThingsCommand({}));
      const names = (things ?? []).map((thing) => thing.thingName).filter((name) => name?.startsWith('fleet-sensor-')).sort();
      if (names.join() !== 'fleet-sensor-001,fleet-sensor-002,fleet-sensor-003') throw new Error(`things: ${names.join(', ')}`);
      return `${names.join(', ')}; policy ${outputs.DevicePolicyName}`;
    });
  } finally {
    iot.destroy();
  }
}
