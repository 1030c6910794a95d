import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSecureContext } from 'node:tls';
import { AttachPolicyCommand, CreatePolicyCommand, DescribeCertificateCommand, ListThingPrincipalsCommand, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import * as mqtt from 'mqtt';
import { runDevice as runDeviceFlow, type DeviceConfig } from '../../../cli/src/device/device-flow';
import { RetriesExhaustedError } from '../../../cli/src/device/retry';
import { connectWithMqttJsUsing, main as mqttJsDevice } from '../../../demo/jitr/device-mqttjs';
import { main as sdkV2Device } from '../../../demo/jitr/device-sdk-v2';
import { createCaCertificate, issueDeviceCertificateWithNewKey, type KeyAlgorithm } from '../../../lambda-assets/shared/pki';
import { JitrFixture, type DeviceFiles } from '../support/jitr-fixture';
import { connectOnce } from '../support/raw-mqtt';

/**
 * JITR through the local cloud as devices see it on AWS: real clients
 * (aws-iot-device-sdk-v2, mqtt.js, Debian's mosquitto_pub) over mutual TLS;
 * the first connect is closed and announced, our activator activates the
 * certificate, the retry connects, and the device policy bounds what it may do.
 */
const fixture = new JitrFixture();
beforeAll(() => fixture.start(), 30_000);
afterAll(() => fixture.stop());

function deviceArgs(device: DeviceFiles): string[] {
  return [
    '--endpoint', 'localhost', '--port', String(fixture.cloud.mqtt.port),
    '--cert', device.certPath, '--key', device.keyPath, '--ca-chain', device.caPath,
    '--root-ca', fixture.cloud.serverIdentity.caCertificatePath,
    '--max-attempts', '8', '--base-delay-ms', '200', '--message', `hello from ${device.thingName}`,
  ];
}

async function expectActivated(device: DeviceFiles): Promise<void> {
  const { certificateDescription } = await fixture.iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
  expect(certificateDescription?.status).toBe('ACTIVE');
  const { principals } = await fixture.iot.send(new ListThingPrincipalsCommand({ thingName: device.thingName }));
  expect(principals).toEqual([certificateDescription?.certificateArn]);
}

function expectRegistrationAnnounced(device: DeviceFiles): void {
  const events = fixture.registrationEvents(device.certificateId);
  expect(events.length).toBeGreaterThanOrEqual(1);
  expect(events[0]).toEqual({
    certificateId: device.certificateId,
    caCertificateId: fixture.caCertificateId,
    timestamp: expect.any(Number),
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: fixture.cloud.model.accountId,
    certificateRegistrationTimestamp: expect.any(Number),
  });
}

function published(topic: string, clientId: string): string[] {
  return fixture.messages.filter((message) => message.topic === topic && message.clientId === clientId).map((message) => message.payload.toString());
}

/** aedes sends the PUBACK before it hands the message on: a client may exit before the message is seen. */
async function publishedEventually(topic: string, clientId: string): Promise<string[]> {
  for (let waited = 0; waited < 5000 && published(topic, clientId).length === 0; waited += 50) await sleep(50);
  return published(topic, clientId);
}

describe.each<[string, typeof sdkV2Device]>([
  ['aws-iot-device-sdk-v2', sdkV2Device],
  ['mqtt.js', mqttJsDevice],
])('JITR with %s', (_client, runDevice) => {
  test.each<KeyAlgorithm>(['ECDSA-P256', 'RSA-2048'])('a %s device: first connect closed and announced, retry connects and publishes', async (keyAlgorithm) => {
    const device = await fixture.device(`dev-${_client.replace(/[^a-z0-9]/gi, '')}-${keyAlgorithm.toLowerCase()}`, keyAlgorithm);
    const lines: string[] = [];
    const code = await runDevice(deviceArgs(device), { info: (line) => lines.push(line), error: (line) => lines.push(line) });
    expect({ code, lines }).toEqual({ code: 0, lines: expect.any(Array) });
    expect(lines.filter((line) => /^attempt \d+\/\d+: failed/.test(line)).length).toBeGreaterThanOrEqual(1);
    expectRegistrationAnnounced(device);
    await expectActivated(device);
    expect(await publishedEventually(`things/${device.thingName}/hello`, device.thingName)).toEqual([`hello from ${device.thingName}`]);
  });
});

describe('JITR with mqtt.js over a TLS context made once (as the benchmark\'s devices boot)', () => {
  function configOf(device: DeviceFiles): DeviceConfig {
    return {
      endpoint: 'localhost',
      port: fixture.cloud.mqtt.port,
      certChainPem: readFileSync(device.chainPath, 'utf8'),
      keyPem: readFileSync(device.keyPath, 'utf8'),
      rootCaPem: fixture.cloud.serverIdentity.caCertificatePem,
      clientId: device.thingName,
      topic: `things/${device.thingName}/hello`,
      message: 'over a kept context',
      maxAttempts: 8,
      baseDelayMs: 200,
      receive: false,
    };
  }

  test('the one context serves every attempt: closed first, activated, then accepted and published', async () => {
    const device = await fixture.device('dev-kept-context', 'ECDSA-P256');
    const config = configOf(device);
    const context = createSecureContext({ cert: config.certChainPem, key: config.keyPem, ca: config.rootCaPem });
    const { attempts } = await runDeviceFlow(config, connectWithMqttJsUsing(context), () => undefined);
    expect(attempts).toBeGreaterThanOrEqual(2);
    expectRegistrationAnnounced(device);
    await expectActivated(device);
    expect(await publishedEventually(config.topic, device.thingName)).toEqual(['over a kept context']);
  });

  test('the context decides, not the PEMs passed along: one trusting another root refuses the server, nothing is registered', async () => {
    const device = await fixture.device('dev-kept-context-wrong-root', 'ECDSA-P256');
    const config = configOf(device);
    const otherRoot = await createCaCertificate({ subject: { commonName: 'not the server root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 1 });
    const context = createSecureContext({ cert: config.certChainPem, key: config.keyPem, ca: otherRoot.certificatePem });
    const run = runDeviceFlow({ ...config, maxAttempts: 2 }, connectWithMqttJsUsing(context), () => undefined);
    await expect(run).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(run).rejects.toThrow(/certificate/i);
    expect(fixture.registrationEvents(device.certificateId)).toEqual([]);
  });
});

describe('JITR with mosquitto_pub (Debian)', () => {
  test.each<KeyAlgorithm>(['ECDSA-P256', 'RSA-2048'])('a %s device: mosquitto_pub fails until activated, then publishes', async (keyAlgorithm) => {
    const device = await fixture.device(`dev-mosquitto-${keyAlgorithm.toLowerCase()}`, keyAlgorithm);
    const attempt = () => new Promise<number>((resolve) => {
      const child = spawn('mosquitto_pub', [
        '-h', 'localhost', '-p', String(fixture.cloud.mqtt.port), '-V', 'mqttv311', '-q', '1',
        '--cafile', fixture.cloud.serverIdentity.caCertificatePath,
        '--cert', device.chainPath, '--key', device.keyPath,
        '-i', device.thingName, '-t', `things/${device.thingName}/hello`, '-m', 'from mosquitto',
      ], { stdio: 'ignore' });
      child.on('error', () => resolve(127));
      child.on('exit', (code) => resolve(code ?? 1));
    });
    const codes: number[] = [];
    for (let n = 0; n < 8 && codes[codes.length - 1] !== 0; n++) {
      codes.push(await attempt());
      if (codes[codes.length - 1] !== 0) await sleep(300 * (n + 1));
    }
    expect(codes[0]).not.toBe(0);
    expect(codes[0]).not.toBe(127); // 127: mosquitto_pub is not installed (apt-get install mosquitto-clients)
    expect(codes[codes.length - 1]).toBe(0);
    expectRegistrationAnnounced(device);
    await expectActivated(device);
    expect(await publishedEventually(`things/${device.thingName}/hello`, device.thingName)).toEqual(['from mosquitto']);
  });
});

describe('the device policy bounds an activated device', () => {
  let device: DeviceFiles;
  beforeAll(async () => {
    device = await fixture.device('dev-policy-check', 'ECDSA-P256');
    expect(await mqttJsDevice(deviceArgs(device), { info: () => undefined, error: () => undefined })).toBe(0);
  });

  function connectDevice(clientId = device.thingName): Promise<mqtt.MqttClient> {
    return connectOnce({
      port: fixture.cloud.mqtt.port,
      clientId,
      cert: readFileSync(device.chainPath),
      key: readFileSync(device.keyPath),
      ca: readFileSync(fixture.cloud.serverIdentity.caCertificatePath),
    });
  }

  test('a publish on another thing\'s topic is refused: the connection is closed and nothing is delivered', async () => {
    const client = await connectDevice();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('things/someone-else/hello', 'intrusion', { qos: 1 });
    await closed;
    expect(published('things/someone-else/hello', device.thingName)).toEqual([]);
    client.end(true);
  });

  test('a subscription to another thing\'s topics is refused (SUBACK failure), its own is granted', async () => {
    const client = await connectDevice();
    // mqtt.js rejects a SUBACK carrying 0x80 with the packet attached.
    const refused = await client.subscribeAsync('things/someone-else/#', { qos: 1 }).then(() => undefined, (error: { packet?: { granted?: number[] } }) => error);
    expect(refused?.packet?.granted).toEqual([128]);
    const granted = await client.subscribeAsync(`things/${device.thingName}/commands`, { qos: 1 });
    expect(granted.map((grant) => grant.qos)).toEqual([1]);
    await client.endAsync();
  });

  test('a client id other than the thing name may not connect', async () => {
    await expect(connectDevice('not-the-thing-name')).rejects.toThrow();
  });

  test('a policy on iot:Certificate.Subject.CommonName resolves from the certificate the device presented', async () => {
    await fixture.iot.send(new CreatePolicyCommand({
      policyName: 'by-subject',
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: 'iot:Publish',
          Resource: `arn:aws:iot:${fixture.cloud.model.region}:${fixture.cloud.model.accountId}:topic/by-subject/\${iot:Certificate.Subject.CommonName}`,
        }],
      }),
    }));
    const { certificateDescription } = await fixture.iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    await fixture.iot.send(new AttachPolicyCommand({ policyName: 'by-subject', target: certificateDescription!.certificateArn! }));
    const client = await connectDevice();
    await client.publishAsync(`by-subject/${device.thingName}`, 'mine', { qos: 1 });
    expect(await publishedEventually(`by-subject/${device.thingName}`, device.thingName)).toEqual(['mine']);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('by-subject/another-name', 'not mine', { qos: 1 });
    await closed;
    expect(published('by-subject/another-name', device.thingName)).toEqual([]);
    client.end(true);
  });

  test('a revoked certificate is refused at once', async () => {
    await fixture.iot.send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'REVOKED' }));
    await expect(connectDevice()).rejects.toThrow();
  });
});

describe('devices the gateway refuses', () => {
  test('a certificate of an unregistered CA', async () => {
    const rogueCa = await createCaCertificate({ subject: { commonName: 'Rogue CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 1 });
    const rogue = await issueDeviceCertificateWithNewKey(rogueCa.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'rogue' }, validityDays: 1 });
    const result = await new Promise<string>((resolve) => {
      const client = mqtt.connect(`mqtts://localhost:${fixture.cloud.mqtt.port}`, {
        protocolVersion: 4,
        clientId: 'rogue',
        reconnectPeriod: 0,
        connectTimeout: 3000,
        cert: rogue.certificatePem + rogueCa.certificatePem,
        key: rogue.privateKeyPem,
        ca: readFileSync(fixture.cloud.serverIdentity.caCertificatePath),
      });
      client.once('connect', () => { client.end(true); resolve('connected'); });
      client.once('close', () => resolve('closed'));
    });
    expect(result).toBe('closed');
    expect(fixture.cloud.model.certificate(rogue.certificateId)).toBeUndefined();
  });

  test('a device of a registered CA that sends its certificate without the CA certificate is not registered', async () => {
    const device = await fixture.device('dev-no-ca-chain', 'ECDSA-P256');
    await expect(connectOnce({
      port: fixture.cloud.mqtt.port,
      clientId: device.thingName,
      cert: readFileSync(device.certPath),
      key: readFileSync(device.keyPath),
      ca: readFileSync(fixture.cloud.serverIdentity.caCertificatePath),
    })).rejects.toThrow();
    expect(fixture.cloud.model.certificate(device.certificateId)).toBeUndefined();
    expect(fixture.registrationEvents(device.certificateId)).toEqual([]);
  });

  test('garbage on the TLS port leaves the gateway serving others', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(fixture.cloud.mqtt.port, '127.0.0.1', () => socket.end(Buffer.from('GET / HTTP/1.1\r\n\r\n')));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const device = await fixture.device('dev-after-garbage', 'ECDSA-P256');
    expect(await mqttJsDevice(deviceArgs(device), { info: () => undefined, error: () => undefined })).toBe(0);
  });
});
