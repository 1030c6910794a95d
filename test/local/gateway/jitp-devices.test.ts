import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import * as mqtt from 'mqtt';
import { main as sdkV2Device } from '../../../demo/jitr/device-sdk-v2';
import type { KeyAlgorithm } from '../../../lambda-assets/shared/pki';
import { JitpFixture } from '../support/jitp-fixture';
import type { DeviceFiles } from '../support/jitr-fixture';
import { connectOnce } from '../support/raw-mqtt';

/**
 * JITP through the local cloud as devices see it on AWS: a CA registered through the SDK with a
 * template in its registrationConfig; real clients (aws-iot-device-sdk-v2, Debian's
 * mosquitto_pub and mosquitto_sub, mqtt.js) over mutual TLS. The first connect runs the template
 * and is closed; the retry connects with the thing, certificate and policy the template made.
 * Nothing of ours runs besides the local cloud: no activator, no mocks.
 */
const fixture = new JitpFixture();
beforeAll(() => fixture.start(), 30_000);
afterAll(() => fixture.stop());

function sdkArgs(device: DeviceFiles, extra: string[] = []): string[] {
  return [
    '--endpoint', 'localhost', '--port', String(fixture.cloud.mqtt.port),
    '--cert', device.certPath, '--key', device.keyPath, '--ca-chain', device.caPath,
    '--root-ca', fixture.cloud.serverIdentity.caCertificatePath,
    '--max-attempts', '8', '--base-delay-ms', '200', '--message', `hello from ${device.thingName}`,
    ...extra,
  ];
}

/** One mosquitto_pub run: its exit code (127 when it is not installed). */
function mosquittoPub(device: DeviceFiles, message: string): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn('mosquitto_pub', [
      '-h', 'localhost', '-p', String(fixture.cloud.mqtt.port), '-V', 'mqttv311', '-q', '1',
      '--cafile', fixture.cloud.serverIdentity.caCertificatePath,
      // The device certificate followed by its CA, as AWS IoT wants them on the first connect.
      '--cert', device.chainPath, '--key', device.keyPath,
      '-i', device.thingName, '-t', `things/${device.thingName}/hello`, '-m', message,
    ], { stdio: 'ignore' });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** mosquitto_pub until it succeeds (at most `attempts` runs, with a growing pause): every exit code. */
async function mosquittoPubWithRetries(device: DeviceFiles, message: string, attempts: number): Promise<number[]> {
  const codes: number[] = [];
  for (let n = 0; n < attempts && codes[codes.length - 1] !== 0; n++) {
    codes.push(await mosquittoPub(device, message));
    if (codes[codes.length - 1] === 127) break;
    if (codes[codes.length - 1] !== 0) await sleep(200 * (n + 1));
  }
  return codes;
}

interface MqttJsOptions {
  readonly clientId?: string;
  /** `localhost` sends SNI; `127.0.0.1` does not (TLS carries no IP addresses as SNI). */
  readonly host?: string;
  /** Send only the device certificate, not its CA after it. */
  readonly leafOnly?: boolean;
}

/** One mqtt.js connection attempt: the client once CONNACKed, or the reason it was not. */
function connectMqttJs(device: DeviceFiles, options: MqttJsOptions = {}): Promise<mqtt.MqttClient> {
  return connectOnce({
    port: fixture.cloud.mqtt.port,
    host: options.host,
    clientId: options.clientId ?? device.thingName,
    cert: readFileSync(options.leafOnly ? device.certPath : device.chainPath),
    key: readFileSync(device.keyPath),
    ca: readFileSync(fixture.cloud.serverIdentity.caCertificatePath),
  });
}

/** What the template promised: the thing with its attributes, the certificate ACTIVE and attached, the policy attached. */
async function expectProvisioned(device: DeviceFiles, attributes = { version: 'v1', country: 'DE', organization: 'ExampleCorp' }): Promise<void> {
  const { certificateDescription } = await fixture.iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
  expect(certificateDescription).toMatchObject({ status: 'ACTIVE', caCertificateId: fixture.caCertificateId });
  const thing = await fixture.iot.send(new DescribeThingCommand({ thingName: device.thingName }));
  expect(thing.attributes).toEqual(attributes);
  const { principals } = await fixture.iot.send(new ListThingPrincipalsCommand({ thingName: device.thingName }));
  expect(principals).toEqual([certificateDescription?.certificateArn]);
  const { policies } = await fixture.iot.send(new ListAttachedPoliciesCommand({ target: certificateDescription?.certificateArn }));
  expect(policies).toHaveLength(1);
  const policy = await fixture.iot.send(new GetPolicyCommand({ policyName: policies![0].policyName }));
  expect(JSON.parse(policy.policyDocument!)).toEqual(JSON.parse(fixture.policyDocument));
}

/** The gateway ran the template for this certificate, and the first run provisioned it. */
function expectProvisionedOnFirstConnect(device: DeviceFiles): void {
  const runs = fixture.jitpLog().filter((line) => line.certificateId === device.certificateId);
  expect(runs.length).toBeGreaterThanOrEqual(1);
  expect(runs[0]).toMatchObject({ provisioned: true, caCertificateId: fixture.caCertificateId });
}

const KEY_ALGORITHMS: KeyAlgorithm[] = ['RSA-2048', 'ECDSA-P256'];

describe('JITP with aws-iot-device-sdk-v2', () => {
  test.each(KEY_ALGORITHMS)('a %s device: the first connect provisions it and is closed, the retry connects and publishes', async (keyAlgorithm) => {
    const device = await fixture.device(`jitp-sdk-${keyAlgorithm.toLowerCase()}`, keyAlgorithm);
    const lines: string[] = [];
    const code = await sdkV2Device(sdkArgs(device), { info: (line) => lines.push(line), error: (line) => lines.push(line) });
    expect({ code, lines }).toEqual({ code: 0, lines: expect.any(Array) });
    expect(lines.find((line) => /^attempt 1\/\d+: failed/.test(line))).toBeDefined();
    expectProvisionedOnFirstConnect(device);
    expect(await fixture.publishedEventually(`things/${device.thingName}/hello`, device.thingName)).toEqual([`hello from ${device.thingName}`]);
    await expectProvisioned(device);
  });
});

describe('JITP with mosquitto_pub (Debian)', () => {
  test.each(KEY_ALGORITHMS)('a %s device: the first run fails (provisioned, closed), the next publishes', async (keyAlgorithm) => {
    const device = await fixture.device(`jitp-mosquitto-${keyAlgorithm.toLowerCase()}`, keyAlgorithm);
    const codes = await mosquittoPubWithRetries(device, 'from mosquitto', 6);
    expect(codes[0]).not.toBe(127); // 127: mosquitto_pub is not installed (apt-get install mosquitto-clients)
    expect(codes[0]).not.toBe(0);
    expect(codes[codes.length - 1]).toBe(0);
    expectProvisionedOnFirstConnect(device);
    expect(await fixture.publishedEventually(`things/${device.thingName}/hello`, device.thingName)).toEqual(['from mosquitto']);
    await expectProvisioned(device);
  });
});

describe('JITP with mosquitto_pub and certificates made by openssl (as in AWS\'s JITP walkthrough)', () => {
  test.each<'RSA-2048' | 'ECDSA-P256'>(['RSA-2048', 'ECDSA-P256'])('a %s device: the first run is closed, a retry publishes', async (keyAlgorithm) => {
    const device = fixture.opensslDevice(`jitp-openssl-${keyAlgorithm.toLowerCase()}`, keyAlgorithm);
    const codes = await mosquittoPubWithRetries(device, 'from openssl', 6);
    expect(codes[0]).not.toBe(127);
    expect(codes[0]).not.toBe(0);
    expect(codes[codes.length - 1]).toBe(0);
    expectProvisionedOnFirstConnect(device);
    expect(await fixture.publishedEventually(`things/${device.thingName}/hello`, device.thingName)).toEqual(['from openssl']);
    await expectProvisioned(device);
  });
});

describe('the classic trap: a device certificate without a subject field the template declares', () => {
  let device: DeviceFiles;
  beforeAll(async () => {
    // No Organization: the template declares AWS::IoT::Certificate::Organization without a Default.
    device = await fixture.device('jitp-no-organization', 'ECDSA-P256', { commonName: 'jitp-no-organization', countryName: 'DE' });
  });

  test('every connect is closed, with the SDK and with mosquitto_pub', async () => {
    const lines: string[] = [];
    const code = await sdkV2Device(sdkArgs(device, ['--max-attempts', '3', '--base-delay-ms', '100']), {
      info: (line) => lines.push(line), error: (line) => lines.push(line),
    });
    expect(code).toBe(1);
    expect(lines.filter((line) => /^attempt \d\/3: failed/.test(line))).toHaveLength(3);
    const codes = await mosquittoPubWithRetries(device, 'never delivered', 2);
    expect(codes).toHaveLength(2);
    expect(codes.every((exitCode) => exitCode !== 0 && exitCode !== 127)).toBe(true);
    expect(fixture.published(`things/${device.thingName}/hello`, device.thingName)).toEqual([]);
  });

  test('each connect ran the template again and failed on the missing Organization', () => {
    const runs = fixture.jitpLog().filter((line) => line.certificateId === device.certificateId);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    for (const run of runs) {
      expect(run.provisioned).toBe(false);
      expect(run.reason).toContain('AWS::IoT::Certificate::Organization');
    }
  });

  test('the certificate stays PENDING_ACTIVATION, with no policy; no thing is created', async () => {
    const { certificateDescription } = await fixture.iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    expect(certificateDescription).toMatchObject({ status: 'PENDING_ACTIVATION', caCertificateId: fixture.caCertificateId });
    const { policies } = await fixture.iot.send(new ListAttachedPoliciesCommand({ target: certificateDescription?.certificateArn }));
    expect(policies).toEqual([]);
    await expect(fixture.iot.send(new DescribeThingCommand({ thingName: device.thingName }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const { things } = await fixture.iot.send(new ListThingsCommand({}));
    expect(things?.map((thing) => thing.thingName)).not.toContain(device.thingName);
  });
});

describe('a subject value the template cannot use', () => {
  test('an Organization with a space fails as a thing attribute (values match [a-zA-Z0-9_.,@/:#=\\[\\]-]*): nothing is provisioned', async () => {
    const device = await fixture.device('jitp-spaced-organization', 'ECDSA-P256', {
      commonName: 'jitp-spaced-organization', countryName: 'DE', organizationName: 'Example Corp',
    });
    await expect(connectMqttJs(device)).rejects.toThrow();
    await expect(connectMqttJs(device)).rejects.toThrow();
    const runs = fixture.jitpLog().filter((line) => line.certificateId === device.certificateId);
    expect(runs).toHaveLength(2);
    expect(runs.every((run) => !run.provisioned && /organization/.test(run.reason ?? ''))).toBe(true);
    expect(fixture.cloud.model.certificate(device.certificateId)?.status).toBe('PENDING_ACTIVATION');
    expect(fixture.cloud.model.thing(device.thingName)).toBeUndefined();
    expect(fixture.cloud.model.policyDocumentsOfPrincipal(fixture.cloud.model.certificate(device.certificateId)!.certificateArn)).toEqual([]);
  });
});

describe('what JITP needs in the TLS handshake', () => {
  // "Presenting the CA certificate is optional, but the device is required to send the Server
  // Name Indication (SNI) extension" (AWS IoT Developer Guide, "Just-in-time provisioning").
  test('a device that sends only its own certificate, with SNI, is provisioned', async () => {
    const device = await fixture.device('jitp-leaf-only', 'ECDSA-P256');
    await expect(connectMqttJs(device, { leafOnly: true })).rejects.toThrow();
    expectProvisionedOnFirstConnect(device);
    const client = await connectMqttJs(device, { leafOnly: true });
    await client.publishAsync(`things/${device.thingName}/hello`, 'leaf only', { qos: 1 });
    await client.endAsync();
    expect(await fixture.publishedEventually(`things/${device.thingName}/hello`, device.thingName)).toEqual(['leaf only']);
    await expectProvisioned(device);
  });

  test('a device that sends neither its CA certificate nor SNI is refused and nothing is registered', async () => {
    const device = await fixture.device('jitp-no-sni', 'ECDSA-P256');
    await expect(connectMqttJs(device, { leafOnly: true, host: '127.0.0.1' })).rejects.toThrow();
    await expect(connectMqttJs(device, { leafOnly: true, host: '127.0.0.1' })).rejects.toThrow();
    expect(fixture.cloud.model.certificate(device.certificateId)).toBeUndefined();
    expect(fixture.cloud.model.thing(device.thingName)).toBeUndefined();
  });
});

describe('a provisioned device receives with mosquitto_sub', () => {
  let device: DeviceFiles;
  beforeAll(async () => {
    device = await fixture.device('jitp-subscriber', 'ECDSA-P256');
    expect(await sdkV2Device(sdkArgs(device), { info: () => undefined, error: () => undefined })).toBe(0);
  });

  /**
   * Runs mosquitto_sub for one message on `topic` while AWS IoT publishes `payload` there every
   * 100 ms, until mosquitto_sub exits. (Its output is block-buffered into a pipe, so it cannot
   * tell us when its SUBACK arrived; publishing until it leaves does not need to know.)
   */
  async function mosquittoSubWhilePublishing(topic: string, payload: string): Promise<{ code: number; output: string; granted?: string }> {
    const child = spawn('mosquitto_sub', [
      '-h', 'localhost', '-p', String(fixture.cloud.mqtt.port), '-V', 'mqttv311', '-q', '1',
      '--cafile', fixture.cloud.serverIdentity.caCertificatePath,
      '--cert', device.chainPath, '--key', device.keyPath,
      '-i', device.thingName, '-t', topic,
      '-C', '1', '-W', '15', '-d',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    let exited = false;
    const code = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (exitCode) => resolve(exitCode ?? 1));
    }).finally(() => { exited = true; });
    while (!exited) {
      await fixture.cloud.mqtt.publish(topic, payload);
      await sleep(100);
    }
    return { code: await code, output, granted: /Subscribed \(mid: \d+\): (\d+)/.exec(output)?.[1] };
  }

  test('the policy admits one client id only, the thing name: a second connection of the device is refused', async () => {
    // So the device cannot publish to itself over a second connection; AWS IoT publishes instead.
    await expect(connectMqttJs(device, { clientId: `${device.thingName}-publisher` })).rejects.toThrow();
  });

  test('mosquitto_sub on its own topic receives a message AWS IoT publishes there', async () => {
    const { code, output, granted } = await mosquittoSubWhilePublishing(`things/${device.thingName}/commands`, 'reboot');
    expect({ code, granted }).toEqual({ code: 0, granted: '1' });
    expect(output.split('\n')).toContain('reboot');
  });

  test('mosquitto_sub on another thing\'s topic is refused (SUBACK 0x80) and gets nothing', async () => {
    const { output, granted } = await mosquittoSubWhilePublishing('things/someone-else/commands', 'not for you');
    expect(granted).toBe('128');
    expect(output).toContain('All subscription requests were denied.');
    expect(output).not.toContain('not for you');
  });

  test('a second connection with the same client id takes over: the first is closed (AWS IoT semantics)', async () => {
    const first = await connectMqttJs(device);
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await connectMqttJs(device);
    await firstClosed;
    expect(second.connected).toBe(true);
    await second.endAsync();
    first.end(true);
  });
});
