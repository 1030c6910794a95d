/**
 * The JITR device scripts against real parts: openssl-made certificates, a TLS front that behaves
 * like AWS IoT's first JITR connect, and a real mosquitto broker behind it.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, MqttClient } from 'mqtt';
import { main as mqttjsMain } from '../../../demo/jitr/device-mqttjs';
import { main as sdkV2Main } from '../../../demo/jitr/device-sdk-v2';
import { DeviceOutput } from '../../../demo/shared/device-cli';
import { JitrTlsFront } from '../support/jitr-tls-front';
import { Mosquitto } from '../support/mosquitto';
import { Issued, KeyType, OpensslPki } from '../support/openssl-pki';
import { runTsNode } from '../support/run-ts-node';
import { waitFor } from '../support/wait-for';

type Main = (argv: readonly string[], out?: DeviceOutput) => Promise<number>;

const SCRIPTS: ReadonlyArray<[name: string, main: Main, file: string]> = [
  ['device-sdk-v2', sdkV2Main, 'demo/jitr/device-sdk-v2.ts'],
  ['device-mqttjs', mqttjsMain, 'demo/jitr/device-mqttjs.ts'],
];
const KEY_TYPES: readonly KeyType[] = ['ec-p256', 'rsa-2048'];
const ENDPOINT = 'localhost';

let dir: string;
let deviceCa: Issued;
let devices: Record<KeyType, Issued>;
let rootCaFile: string;
let server: Issued;
let broker: Mosquitto;
let subscriber: MqttClient;
const received: Array<{ topic: string; payload: string }> = [];
let front: JitrTlsFront | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jitr-devices-'));
  const pki = new OpensslPki(dir);
  deviceCa = pki.ca('device-ca', 'rsa-2048');
  devices = {
    'ec-p256': pki.device('device-ec-p256', 'ec-p256', deviceCa),
    'rsa-2048': pki.device('device-rsa-2048', 'rsa-2048', deviceCa),
  };
  const serverRoot = pki.ca('server-root', 'ec-p256');
  server = pki.server(ENDPOINT, 'ec-p256', serverRoot);
  // Like AmazonRootCA bundles: the trust file holds several roots, ours is not the first.
  rootCaFile = join(dir, 'roots.pem');
  writeFileSync(rootCaFile, pki.ca('unrelated-root', 'rsa-2048').certPem + serverRoot.certPem);

  broker = await Mosquitto.start(dir);
  subscriber = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, clientId: 'test-subscriber', reconnectPeriod: 0 });
  subscriber.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await subscriber.subscribeAsync('#', { qos: 1 });
});

afterAll(async () => {
  await subscriber?.endAsync();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await front?.close();
  front = undefined;
});

/** A front for this test; it closes the first `closeFirst` connections of each certificate. */
async function startFront(closeFirst = 1): Promise<JitrTlsFront> {
  front = await JitrTlsFront.start({
    serverCertPem: server.certPem,
    serverKeyPem: readFileSync(server.keyFile, 'utf8'),
    brokerPort: broker.port,
    closeFirst,
  });
  return front;
}

function deviceArgs(device: Issued, port: number, extra: readonly string[] = []): string[] {
  return ['--endpoint', ENDPOINT, '--port', String(port), '--cert', device.certFile, '--key', device.keyFile,
    '--ca-chain', deviceCa.certFile, '--root-ca', rootCaFile, '--base-delay-ms', '50', ...extra];
}

function capture(): DeviceOutput & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, info: (line) => lines.push(line), error: (line) => errors.push(line) };
}

const fingerprint = (issued: Issued) => new X509Certificate(issued.certPem).fingerprint256;
const cn = (keyType: KeyType) => `device-${keyType}`;
const attemptLines = (output: string) => output.split('\n').filter((line) => /^attempt \d+\/\d+: /.test(line));
const cleanDisconnects = (clientId: string) => broker.log().split(`Client ${clientId} disconnected.`).length - 1;

/** What every successful run must show: JITR retry, full chain and SNI at the front, the message at the broker. */
async function expectOnboarded(keyType: KeyType, output: string, message: string, disconnectsBefore: number): Promise<void> {
  const attempts = attemptLines(output);
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  expect(attempts[0]).toMatch(/^attempt 1\/\d+: failed: .+; next attempt in \d+ ms$/);
  expect(attempts[attempts.length - 1]).toMatch(/: connected$/);

  const seen = front!.connectionsOf(fingerprint(devices[keyType]));
  expect(seen).toHaveLength(attempts.length);
  expect(seen.map((c) => c.forwarded)).toEqual([false, ...Array(attempts.length - 1).fill(true)]);
  for (const connection of seen) {
    expect(connection.chain.map((c) => c.fingerprint256)).toEqual([fingerprint(devices[keyType]), fingerprint(deviceCa)]);
    expect(connection.sni).toBe(ENDPOINT);
  }

  const topic = `things/${cn(keyType)}/hello`;
  await waitFor(`"${message}" on ${topic}`, () => received.find((m) => m.topic === topic && m.payload === message));
  await waitFor(`a clean DISCONNECT from ${cn(keyType)}`, () => cleanDisconnects(cn(keyType)) > disconnectsBefore);
}

describe.each(SCRIPTS)('%s', (_name, main, file) => {
  test.each(KEY_TYPES)('a %s device is closed on its first connect, retries, publishes and disconnects', async (keyType) => {
    const { port } = await startFront();
    const out = capture();
    const message = `hello ${randomUUID()}`;
    const disconnectsBefore = cleanDisconnects(cn(keyType));

    const code = await main(deviceArgs(devices[keyType], port, ['--message', message]), out);

    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    await expectOnboarded(keyType, out.lines.join('\n'), message, disconnectsBefore);
  });

  test('as a command: exits 0 after the JITR retry', async () => {
    const { port } = await startFront();
    const message = `cli ${randomUUID()}`;
    const disconnectsBefore = cleanDisconnects(cn('ec-p256'));

    const run = await runTsNode(file, deviceArgs(devices['ec-p256'], port, ['--message', message]));

    expect(run.stderr).not.toMatch(/error|\n\s+at /i);
    expect(run.code).toBe(0);
    await expectOnboarded('ec-p256', run.stdout, message, disconnectsBefore);
  });

  test('as a command: a missing file gives exit 2 and one line naming the argument', async () => {
    const args = deviceArgs(devices['rsa-2048'], 1);
    args[args.indexOf('--ca-chain') + 1] = join(dir, 'no-such-ca.pem');

    const run = await runTsNode(file, args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: --ca-chain: cannot read .*no-such-ca\.pem \(no such file\)/)]);
  });

  test('a device that is never activated gives up after --max-attempts with exit 1', async () => {
    const { port } = await startFront(Infinity);
    const out = capture();
    const publishedBefore = received.length;

    const code = await main(deviceArgs(devices['ec-p256'], port, ['--max-attempts', '3', '--base-delay-ms', '10']), out);

    expect(code).toBe(1);
    expect(attemptLines(out.lines.join('\n'))).toEqual([
      expect.stringMatching(/^attempt 1\/3: failed: .+; next attempt in \d+ ms$/),
      expect.stringMatching(/^attempt 2\/3: failed: .+; next attempt in \d+ ms$/),
      expect.stringMatching(/^attempt 3\/3: failed: .+; no attempts left$/),
    ]);
    expect(out.errors).toEqual([expect.stringMatching(/^error: gave up after 3 attempts; last error: .+ \(has the activator made the certificate ACTIVE\?/)]);
    expect(front!.connections.map((c) => c.forwarded)).toEqual([false, false, false]);
    expect(received.length).toBe(publishedBefore);
  });
});

describe('bad arguments', () => {
  const device = () => devices['ec-p256'];
  const withArg = (name: string, value: string | undefined) => {
    const args = deviceArgs(device(), 8883);
    const at = args.indexOf(name);
    if (at >= 0) args.splice(at, 2);
    return value === undefined ? args : [...args, name, value];
  };

  test.each([
    ['--endpoint missing', () => withArg('--endpoint', undefined), /^error: --endpoint: required/],
    ['--endpoint given as a URL', () => withArg('--endpoint', 'mqtts://localhost:8883'), /^error: --endpoint: give a host name/],
    ['--port not a number', () => withArg('--port', 'eighty'), /^error: --port: expected an integer from 1 to 65535, got "eighty"/],
    ['--port without a value', () => [...deviceArgs(device(), 8883), '--port'], /--port/],
    ['--cert not a certificate', () => withArg('--cert', device().keyFile), /^error: --cert: .* holds no PEM certificate/],
    ['--key of another device', () => withArg('--key', devices['rsa-2048'].keyFile), /^error: --key: .* is not the key of the certificate in --cert/],
    ['--ca-chain that did not sign --cert', () => withArg('--ca-chain', rootCaFile), /^error: --ca-chain: .* holds no certificate that signed/],
    ['--root-ca without certificates', () => withArg('--root-ca', device().keyFile), /^error: --root-ca: .* holds no PEM certificate/],
    ['--topic with a wildcard', () => withArg('--topic', 'things/+/hello'), /^error: --topic: /],
    ['--max-attempts zero', () => withArg('--max-attempts', '0'), /^error: --max-attempts: expected an integer from 1/],
    ['an unknown option', () => [...deviceArgs(device(), 8883), '--colour', 'blue'], /^error: .*'--colour'/],
  ])('%s: exit 2 and one line naming it', async (_case, args, expected) => {
    for (const [, main] of SCRIPTS) {
      const out = capture();
      expect(await main(args(), out)).toBe(2);
      expect(out.lines).toEqual([]);
      expect(out.errors).toEqual([expect.stringMatching(expected)]);
    }
  });

  test('--help prints the options and exits 0', async () => {
    const out = capture();
    expect(await sdkV2Main(['--help'], out)).toBe(0);
    expect(out.lines.join('\n')).toContain('--ca-chain FILE');
  });
});
