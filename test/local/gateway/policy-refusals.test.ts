import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectWithSdkV2 } from '../../../cli/src/device/mtls-connection';
import { main as mqttJsDevice } from '../../../demo/jitr/device-mqttjs';
import { JitrFixture, type DeviceFiles } from '../support/jitr-fixture';

/**
 * Every client sees a publish outside the device policy refused, as on AWS
 * (MQTT 3.1.1 has no negative PUBACK: the connection is closed), and the
 * message is never delivered. mqtt.js is covered in jitr-devices.test.ts.
 */
const fixture = new JitrFixture();
let device: DeviceFiles;

beforeAll(async () => {
  await fixture.start();
  device = await fixture.device('dev-refusals', 'ECDSA-P256');
  const activated = await mqttJsDevice([
    '--endpoint', 'localhost', '--port', String(fixture.cloud.mqtt.port),
    '--cert', device.certPath, '--key', device.keyPath, '--ca-chain', device.caPath,
    '--root-ca', fixture.cloud.serverIdentity.caCertificatePath, '--base-delay-ms', '200',
  ], { info: () => undefined, error: () => undefined });
  expect(activated).toBe(0);
}, 60_000);
afterAll(() => fixture.stop());

function delivered(topic: string): string[] {
  return fixture.messages.filter((message) => message.topic === topic).map((message) => message.payload.toString());
}

/** aedes sends the PUBACK before it hands the message on: a client may exit before the message is seen. */
async function deliveredEventually(topic: string, payload: string): Promise<string[]> {
  for (let waited = 0; waited < 5000 && !delivered(topic).includes(payload); waited += 50) await sleep(50);
  return delivered(topic);
}

function mosquittoPub(topic: string, message: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('mosquitto_pub', [
      '-h', 'localhost', '-p', String(fixture.cloud.mqtt.port), '-V', 'mqttv311', '-q', '1',
      '--cafile', fixture.cloud.serverIdentity.caCertificatePath, '--cert', device.chainPath, '--key', device.keyPath,
      '-i', device.thingName, '-t', topic, '-m', message,
    ], { stdio: 'ignore' });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

test('mosquitto_pub: its own topic is accepted, another thing\'s topic is refused', async () => {
  expect(await mosquittoPub(`things/${device.thingName}/hello`, 'allowed')).toBe(0);
  expect(await deliveredEventually(`things/${device.thingName}/hello`, 'allowed')).toContain('allowed');
  const refused = await mosquittoPub('things/someone-else/hello', 'intrusion');
  expect(refused).not.toBe(0);
  expect(refused).not.toBe(127); // 127: mosquitto_pub is not installed
  expect(delivered('things/someone-else/hello')).toEqual([]);
});

test('aws-iot-device-sdk-v2: a publish on another thing\'s topic never completes and is never delivered', async () => {
  const connection = await connectWithSdkV2({
    endpoint: 'localhost',
    port: fixture.cloud.mqtt.port,
    certChainPem: readFileSync(device.chainPath, 'utf8'),
    keyPem: readFileSync(device.keyPath, 'utf8'),
    rootCaPem: readFileSync(fixture.cloud.serverIdentity.caCertificatePath, 'utf8'),
    clientId: device.thingName,
    topic: `things/${device.thingName}/hello`,
    message: 'unused',
    maxAttempts: 1,
    baseDelayMs: 100,
    receive: false,
  });
  await connection.publish(`things/${device.thingName}/hello`, 'allowed from sdk-v2');
  expect(await deliveredEventually(`things/${device.thingName}/hello`, 'allowed from sdk-v2')).toContain('allowed from sdk-v2');
  // The gateway closes the connection on the refused PUBLISH; aws-crt reconnects and retries it
  // until its operation timeout (10 s), so the publish rejects instead of resolving.
  await expect(connection.publish('things/someone-else/hello', 'intrusion from sdk-v2')).rejects.toBeDefined();
  expect(delivered('things/someone-else/hello')).toEqual([]);
  await connection.disconnect().catch(() => undefined);
}, 30_000);
