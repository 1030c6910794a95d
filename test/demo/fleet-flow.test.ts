/**
 * Fleet provisioning end to end on the synthesized FleetDemo stack run by the local runner
 * (nothing of ours mocked): the claim certificate from the stack's custom resource, both MQTT
 * paths on aws-iot-device-sdk-v2's identity client, a device the hook denies, a trusted user's
 * temporary claim; a verifier that answers too late denies the device; deleting the stack
 * deletes the claim certificate and its vault files.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeCertificateCommand, IoTClient } from '@aws-sdk/client-iot';
import { synthesizeFleetDemo } from './support/fleet-demo-assembly';
import { runFleetStackFlow } from '../../demo/fleet/stack-flow';
import { runFlows } from '../../demo/flow-runner';
import { startStackRunner } from '../../local/runner/stack-runner';

jest.setTimeout(240_000);

let cdkOut: string;
const scratch: string[] = [];

beforeAll(() => {
  cdkOut = synthesizeFleetDemo();
  scratch.push(cdkOut);
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const fleetFlow = { name: 'Fleet', run: runFleetStackFlow };

test('claim, both MQTT paths, a denied device and a trusted user\'s claim: the flow passes', async () => {
  const lines: string[] = [];
  const rows = await runFlows({ flows: [fleetFlow], cloudAssemblies: [cdkOut], print: (line) => lines.push(line) });
  const output = lines.join('\n');
  expect(rows.map(({ name, passed, failure }) => ({ name, passed, failure }))).toEqual([{ name: 'Fleet', passed: true, failure: undefined }]);
  expect(output).toMatch(/ok {4}the claim certificate issued at deploy time: .*: claim [0-9a-f]{12}\.\.\. ACTIVE, policy \S+/);
  expect(output).toMatch(/ok {4}the claim key in the vault: .*demo user: AccessDenied; factory role: /);
  expect(output).toMatch(/ok {4}fleet-sensor-001 .*CreateKeysAndCertificate accepted: certificate [0-9a-f]{64} -> RegisterThing accepted: thing fleet-sensor-001/);
  expect(output).toMatch(/ok {4}fleet-sensor-002 .*CreateCertificateFromCsr accepted: certificate [0-9a-f]{64} -> RegisterThing accepted: thing fleet-sensor-002/);
  expect(output).toMatch(/ok {4}intruder-7: .*rejected \{"statusCode":403,"errorCode":"AccessDenied","errorMessage":"[^"]+"\}; no thing intruder-7/);
  expect(output).toMatch(/ok {4}trusted user: .*provisioned thing fleet-sensor-003/);
  expect(output).toMatch(/ok {4}the registry: .*fleet-sensor-001, fleet-sensor-002, fleet-sensor-003/);
});

test('a verifier that answers too late: the hook denies within AWS IoT\'s budget', async () => {
  const slow = mkdtempSync(join(tmpdir(), 'cdk-iot-security-fleet-slow-'));
  scratch.push(slow);
  cpSync(cdkOut, slow, { recursive: true });
  const file = join(slow, 'FleetDemo.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8'));
  const verifier = Object.entries<any>(template.Resources).find(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('SerialVerifier'))![1];
  verifier.Properties.Code.ZipFile = 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 8000)); return { verified: true }; };';
  verifier.Properties.Timeout = 30;
  writeFileSync(file, JSON.stringify(template));

  const rows = await runFlows({ flows: [fleetFlow], cloudAssemblies: [slow], print: () => undefined });
  expect(rows[0].passed).toBe(false);
  expect(rows[0].failure).toMatch(/^fleet-sensor-001 .*RegisterThing rejected: \{"statusCode":403,"errorCode":"AccessDenied"/);
});

test('deleting the stack deletes the claim certificate and its vault files', async () => {
  const runner = await startStackRunner({ cloudAssemblies: [cdkOut], stateDirectory: mkdtempSync(join(tmpdir(), 'fleet-state-')) });
  const iot = new IoTClient({ region: runner.region, credentials: runner.adminCredentials, endpoint: runner.endpoints.IOT });
  try {
    const outputs = runner.stacks.find((stack) => stack.stackName === 'FleetDemo')!.outputs;
    const claimId = outputs.ClaimCertificateId;
    await expect(iot.send(new DescribeCertificateCommand({ certificateId: claimId }))).resolves.toBeDefined();
    const bucket = runner.s3.bucket(outputs.VaultBucket)!;
    expect(bucket.current(`claims/${claimId}/claim.private_key.pem`)).toBeDefined();

    await runner.deleteStacks();

    await expect(iot.send(new DescribeCertificateCommand({ certificateId: claimId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const remaining = bucket.current(`claims/${claimId}/claim.private_key.pem`);
    expect(remaining === undefined || remaining.isDeleteMarker).toBe(true);
  } finally {
    iot.destroy();
    await runner.close();
  }
});
