import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tls from 'node:tls';
import { GetPolicyCommand, GetRegistrationCodeCommand, ResourceNotFoundException } from '@aws-sdk/client-iot';
import * as mqtt from 'mqtt';
import { main as mqttJsDevice } from '../../../demo/jitr/device-mqttjs';
import { JitrFixture, type DeviceFiles } from '../support/jitr-fixture';

/**
 * Whatever arrives on the gateway's TLS port or the control plane's HTTP port, broken or
 * hostile, costs that one connection only: it is closed (or answered 4xx), and the next
 * device or SDK call is served as before.
 */
const fixture = new JitrFixture();
let device: DeviceFiles;
beforeAll(async () => {
  await fixture.start();
  device = await fixture.device('robust-device', 'ECDSA-P256');
  // Activated by JITR and our activator, as in jitr-devices.test.ts.
  const code = await mqttJsDevice([
    '--endpoint', 'localhost', '--port', String(fixture.cloud.mqtt.port),
    '--cert', device.certPath, '--key', device.keyPath, '--ca-chain', device.caPath,
    '--root-ca', fixture.cloud.serverIdentity.caCertificatePath, '--max-attempts', '8', '--base-delay-ms', '200',
  ], { info: () => undefined, error: () => undefined });
  expect(code).toBe(0);
}, 30_000);
afterAll(() => fixture.stop());

// ------------------------------------------------------------------ MQTT 3.1.1 by hand

function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte += 128; // continuation bit
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

function utf8Field(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([length, body]);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

/** CONNECT, MQTT 3.1.1, clean session, keep-alive 30 s. */
function connectPacket(clientId: string): Buffer {
  return packet(0x10, Buffer.concat([utf8Field('MQTT'), Buffer.from([4, 0x02, 0, 30]), utf8Field(clientId)]));
}

/** PUBLISH at QoS 1 with packet id 1. */
function publishPacket(topic: string, payload: Buffer): Buffer {
  return packet(0x32, Buffer.concat([utf8Field(topic), Buffer.from([0, 1]), payload]));
}

const CONNACK_ACCEPTED = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const PUBACK_1 = Buffer.from([0x40, 0x02, 0x00, 0x01]);

// ------------------------------------------------------------------ raw connections

interface RawConnection {
  readonly socket: tls.TLSSocket;
  readonly closed: Promise<void>;
  /** Everything the gateway sent so far. */
  received(): Buffer;
  /** Resolves once `length` bytes have arrived, or rejects when the connection closed first. */
  waitFor(length: number): Promise<Buffer>;
}

/** A TLS connection to the gateway, trusting its server CA, with the device's certificate chain unless told otherwise. */
async function rawTls(options: { withCertificate: boolean } = { withCertificate: true }): Promise<RawConnection> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: fixture.cloud.mqtt.port,
    servername: 'localhost',
    ca: readFileSync(fixture.cloud.serverIdentity.caCertificatePath),
    ...(options.withCertificate && { cert: readFileSync(device.chainPath), key: readFileSync(device.keyPath) }),
  });
  let data = Buffer.alloc(0);
  let isClosed = false;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((waiter) => waiter());
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    wake();
  });
  socket.on('error', () => undefined); // resets after the gateway hangs up are expected
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    isClosed = true;
    wake();
    resolve();
  }));
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('close', () => reject(new Error('closed during the TLS handshake')));
  });
  return {
    socket,
    received: () => data,
    closed,
    waitFor: (length) => new Promise<Buffer>((resolve, reject) => {
      const check = () => {
        if (data.length >= length) {
          waiters.delete(check);
          resolve(data);
        } else if (isClosed) {
          waiters.delete(check);
          reject(new Error(`closed after ${data.length} bytes`));
        }
      };
      waiters.add(check);
      check();
    }),
  };
}

/** A raw connection that has CONNECTed as the activated device and got its CONNACK. */
async function connectedRaw(): Promise<RawConnection> {
  const connection = await rawTls();
  connection.socket.write(connectPacket(device.thingName));
  expect(await connection.waitFor(4)).toEqual(CONNACK_ACCEPTED);
  return connection;
}

/** Fails the test unless the gateway hangs up within `ms`. */
async function expectClosedWithin(connection: RawConnection, ms: number): Promise<void> {
  const timeout = new AbortController();
  const outcome = await Promise.race([
    connection.closed.then(() => 'closed'),
    sleep(ms, 'still open', { signal: timeout.signal }).catch(() => 'aborted'),
  ]);
  timeout.abort();
  expect(outcome).toBe('closed');
}

let served = 0;
/** The gateway still serves a normal device: mqtt.js connects, publishes at QoS 1 and the message arrives. */
async function expectGatewayServes(): Promise<void> {
  const client = await mqtt.connectAsync(`mqtts://localhost:${fixture.cloud.mqtt.port}`, {
    protocolVersion: 4,
    clientId: device.thingName,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    cert: readFileSync(device.chainPath),
    key: readFileSync(device.keyPath),
    ca: readFileSync(fixture.cloud.serverIdentity.caCertificatePath),
  });
  const message = `still serving ${++served}`;
  await client.publishAsync(`things/${device.thingName}/hello`, message, { qos: 1 });
  await client.endAsync();
  expect(await eventually(() => fixture.messages.some((m) => m.topic === `things/${device.thingName}/hello` && m.payload.toString() === message))).toBe(true);
}

/**
 * Polls `check` until it holds or `timeoutMs` passed; its last answer. The gateway acknowledges a
 * QoS 1 PUBLISH before it hands the message on, so a message can reach `onMessage` after the PUBACK.
 */
async function eventually(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(20);
  return check();
}

function topicMessages(topic: string): number {
  return fixture.messages.filter((message) => message.topic === topic).length;
}

describe('the MQTT/TLS gateway', () => {
  test('random bytes that are not TLS: the connection is closed', async () => {
    await new Promise<void>((resolve) => {
      const socket = netConnect(fixture.cloud.mqtt.port, '127.0.0.1', () => socket.write(randomBytes(4096)));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    await expectGatewayServes();
  });

  test('a TLS handshake without a client certificate: no CONNACK, the connection is closed', async () => {
    const connection = await rawTls({ withCertificate: false });
    connection.socket.write(connectPacket('no-certificate'));
    await expectClosedWithin(connection, 5000);
    expect(connection.received()).toEqual(Buffer.alloc(0));
    await expectGatewayServes();
  });

  test('a CONNECT cut off half-way, then the end of the stream: closed without a CONNACK', async () => {
    const connection = await rawTls();
    const connect = connectPacket(device.thingName);
    connection.socket.end(connect.subarray(0, Math.floor(connect.length / 2)));
    await expectClosedWithin(connection, 5000);
    expect(connection.received()).toEqual(Buffer.alloc(0));
    await expectGatewayServes();
  });

  test('a CONNECT cut off half-way on a connection left open does not hold up other devices', async () => {
    const connection = await rawTls();
    const connect = connectPacket(device.thingName);
    connection.socket.write(connect.subarray(0, Math.floor(connect.length / 2)));
    await expectGatewayServes();
    expect(connection.received()).toEqual(Buffer.alloc(0));
    connection.socket.destroy();
  });

  test.each<[string, Buffer]>([
    ['a remaining length of five bytes', Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['the reserved packet type 0', Buffer.from([0x00, 0x00])],
    ['a PUBLISH with QoS 3', packet(0x36, Buffer.concat([utf8Field('things/robust-device/hello'), Buffer.from([0, 1]), Buffer.from('x')]))],
    ['a second CONNECT', connectPacket('robust-device')],
  ])('after CONNECT, %s: the connection is closed and nothing is published', async (_what, bytes) => {
    const before = topicMessages(`things/${device.thingName}/hello`);
    const connection = await connectedRaw();
    connection.socket.write(bytes);
    await expectClosedWithin(connection, 5000);
    expect(topicMessages(`things/${device.thingName}/hello`)).toBe(before);
    await expectGatewayServes();
  });

  // "AWS IoT Core rejects publish and connect requests larger than 128 KB" (message broker quotas).
  test('a PUBLISH of exactly 128 KiB is accepted and delivered', async () => {
    const topic = `things/${device.thingName}/large`;
    const connection = await connectedRaw();
    connection.socket.write(publishPacket(topic, Buffer.alloc(128 * 1024, 0x61)));
    expect((await connection.waitFor(8)).subarray(4, 8)).toEqual(PUBACK_1);
    connection.socket.end(Buffer.from([0xe0, 0x00])); // DISCONNECT
    await connection.closed;
    expect(await eventually(() => topicMessages(topic) === 1)).toBe(true);
    expect(fixture.messages.filter((m) => m.topic === topic).map((m) => m.payload.length)).toEqual([128 * 1024]);
  });

  test('a PUBLISH over 128 KiB: the connection is closed and the message is not delivered', async () => {
    const topic = `things/${device.thingName}/oversize`;
    const connection = await connectedRaw();
    connection.socket.write(publishPacket(topic, Buffer.alloc(128 * 1024 + 1, 0x61)));
    await expectClosedWithin(connection, 5000);
    expect(connection.received()).toEqual(CONNACK_ACCEPTED); // no PUBACK
    expect(topicMessages(topic)).toBe(0);
    await expectGatewayServes();
  });

  test('a packet announcing 256 MB is refused from its header, not buffered', async () => {
    const connection = await connectedRaw();
    // PUBLISH with the largest remaining length MQTT can express, then a stream of payload.
    connection.socket.write(Buffer.concat([Buffer.from([0x30]), remainingLength(268_435_455), utf8Field(`things/${device.thingName}/huge`)]));
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    while (sent < 8 * 1024 * 1024 && !connection.socket.destroyed && connection.socket.writable) {
      const flushed = connection.socket.write(chunk);
      sent += chunk.length;
      const outcome = await Promise.race([
        flushed ? sleep(1).then(() => 'written') : new Promise<string>((resolve) => connection.socket.once('drain', () => resolve('drained'))),
        connection.closed.then(() => 'closed'),
      ]);
      if (outcome === 'closed') break;
    }
    await expectClosedWithin(connection, 5000);
    expect(sent).toBeLessThan(8 * 1024 * 1024);
    await expectGatewayServes();
  });
});

// ------------------------------------------------------------------ the control plane

interface RawHttpAnswer {
  readonly status: number;
  readonly errorType?: string;
}

/** A request written by hand, so the body can lie about its size or never finish. */
function rawHttp(head: string, body: Buffer | string = '', options: { endAfterWrite?: boolean } = {}): Promise<string> {
  const { port } = new URL(fixture.cloud.controlPlaneUrl);
  return new Promise((resolve) => {
    const socket = netConnect(Number(port), '127.0.0.1', () => {
      socket.write(head);
      socket.write(body);
      if (options.endAfterWrite) socket.end();
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => { answer += chunk.toString('latin1'); });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
  });
}

/** A streamed request with Transfer-Encoding: chunked (no Content-Length), as a client that does not know its size sends it. */
function chunkedPost(path: string, chunks: number, chunkSize: number): Promise<RawHttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${fixture.cloud.controlPlaneUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, errorType: response.headers['x-amzn-errortype'] as string | undefined });
    });
    request.on('error', reject);
    const chunk = Buffer.alloc(chunkSize, 0x20);
    for (let i = 0; i < chunks; i++) request.write(chunk);
    request.end();
  });
}

async function expectControlPlaneServes(): Promise<void> {
  const { registrationCode } = await fixture.iot.send(new GetRegistrationCodeCommand({}));
  expect(registrationCode).toMatch(/^[0-9a-f]{64}$/);
}

// Garbage JSON, unknown paths, a 1 MiB Content-Length body and non-HTTP bytes are in
// test/local/iot/http/wire.test.ts; these are the cases it does not cover.
describe('the control plane', () => {
  test('a body over 1 MiB sent chunked, without Content-Length: 413, and the SDK is still served', async () => {
    expect(await chunkedPost('/policies/too-big', 40, 64 * 1024)).toEqual({ status: 413, errorType: 'RequestEntityTooLargeException' });
    await expectControlPlaneServes();
  });

  test('a body shorter than its Content-Length, then the client hangs up: the SDK is still served', async () => {
    const answer = await rawHttp(
      'POST /policies/cut-short HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      '{"policyDocument": "',
      { endAfterWrite: true },
    );
    expect(answer === '' || /^HTTP\/1\.1 4\d\d/.test(answer)).toBe(true);
    await expectControlPlaneServes();
    await expect(fixture.iot.send(new GetPolicyCommand({ policyName: 'cut-short' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('headers larger than the server accepts: 4xx, and the SDK is still served', async () => {
    const answer = await rawHttp(`GET /registrationcode HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 4\d\d/);
    await expectControlPlaneServes();
  });

  test('a burst of malformed requests at once: each is answered 4xx, then the SDK is served', async () => {
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => rawHttp('POST /cacertificate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nConnection: close\r\n\r\n', '{{{')),
      ...Array.from({ length: 10 }, () => rawHttp('GET /../../etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')),
    ]);
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 4\d\d/);
    await expectControlPlaneServes();
  });
});
