/**
 * JITP end to end on the synthesized JitpDemo stack run by the local runner (nothing of ours
 * mocked): the stack's API issues certificates, real clients connect over mutual TLS and AWS IoT's
 * template (run by the local cloud as the stack's provisioning role) provisions them. RSA and
 * ECDSA devices, with aws-iot-device-sdk-v2 and with Debian's mosquitto_pub; a wiring fault in
 * the provisioning role keeps devices out, with a message that names it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeJitpDemo } from './support/jitp-demo-assembly';
import { runFlows, type DemoFlow } from '../../demo/flow-runner';
import { runJitpStackFlow, type JitpDemoDevice } from '../../demo/jitp/stack-flow';

jest.setTimeout(240_000);

let cdkOut: string;
const scratch: string[] = [];

beforeAll(() => {
  cdkOut = synthesizeJitpDemo();
  scratch.push(cdkOut);
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const EVERY_KIND: JitpDemoDevice[] = [
  { name: 'demo-sensor-ec-sdk', keyAlgorithm: 'ECDSA-P256', serverKey: false, client: 'aws-iot-device-sdk-v2' },
  { name: 'demo-sensor-rsa-sdk', keyAlgorithm: 'RSA-2048', serverKey: true, client: 'aws-iot-device-sdk-v2' },
  { name: 'demo-sensor-ec-mosquitto', keyAlgorithm: 'ECDSA-P256', serverKey: true, client: 'mosquitto_pub' },
  { name: 'demo-sensor-rsa-mosquitto', keyAlgorithm: 'RSA-2048', serverKey: false, client: 'mosquitto_pub' },
];

function jitpFlow(devices: JitpDemoDevice[], deviceAttempts = 8): DemoFlow {
  return { name: 'JITP', run: (step, context) => runJitpStackFlow(step, { ...context, devices, deviceAttempts }) };
}

test('RSA and ECDSA devices, CSR and server-made keys, aws-iot-device-sdk-v2 and mosquitto_pub: all provisioned', async () => {
  const lines: string[] = [];
  const rows = await runFlows({ flows: [jitpFlow(EVERY_KIND)], cloudAssemblies: [cdkOut], print: (line) => lines.push(line) });
  const output = lines.join('\n');
  expect(rows.map(({ name, passed, failure }) => ({ name, passed, failure }))).toEqual([{ name: 'JITP', passed: true, failure: undefined }]);
  expect(output).toMatch(/ok {4}POST \/deviceCertificateGenerate refuses bad requests .*: 400 \w+, 400 \w+, 400 \w+, 400 MissingSubjectField, 400 InvalidSubjectValue, 403 DeviceRejected/);
  for (const device of EVERY_KIND) {
    expect(output).toMatch(new RegExp(`ok {4}${device.name}: ${device.keyAlgorithm} certificate .*: [0-9a-f]{12}\\.\\.\\., .*: OK`));
  }
  expect(output).toMatch(/ok {4}demo-sensor-ec-sdk \(aws-iot-device-sdk-v2\).*attempt 1\/8: failed.* -> attempt \d\/8: connected -> received its own message/);
  expect(output).toMatch(/ok {4}demo-sensor-rsa-mosquitto \(mosquitto_pub\).*mosquitto_pub exit codes [1-9]\d*( -> [1-9]\d*)* -> 0/);
  expect(output).toMatch(/ok {4}the same CSR again returns the same certificate \(demo-sensor-ec-sdk\)/);
  expect(output).toMatch(/ok {4}the registry: .*demo-sensor-ec-sdk, demo-sensor-rsa-sdk, demo-sensor-ec-mosquitto, demo-sensor-rsa-mosquitto: ACTIVE/);
});

test('the provisioning role lacks iot:AttachThingPrincipal: devices stay out, and the failure names the denial', async () => {
  const faulty = mkdtempSync(join(tmpdir(), 'cdk-iot-security-jitp-fault-'));
  scratch.push(faulty);
  cpSync(cdkOut, faulty, { recursive: true });
  const file = join(faulty, 'JitpDemo.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8'));
  let removed = 0;
  for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' || !logicalId.startsWith('JitpProvisioningRolePolicy')) continue;
    for (const statement of resource.Properties.PolicyDocument.Statement) {
      const actions: string[] = [].concat(statement.Action);
      statement.Action = actions.filter((action) => action !== 'iot:AttachThingPrincipal');
      removed += actions.length - statement.Action.length;
    }
  }
  expect(removed).toBeGreaterThan(0);
  writeFileSync(file, JSON.stringify(template));

  const rows = await runFlows({ flows: [jitpFlow([EVERY_KIND[0]], 3)], cloudAssemblies: [faulty], print: () => undefined });
  expect(rows[0].passed).toBe(false);
  expect(rows[0].failure).toMatch(/^demo-sensor-ec-sdk \(aws-iot-device-sdk-v2\).*was not accepted/);
  expect(rows[0].failure).toMatch(/JITP of certificate [0-9a-f]{12}\.\.\. failed: .*not authorized to perform: iot:AttachThingPrincipal/);
});
