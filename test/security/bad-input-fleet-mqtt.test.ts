/**
 * Bad input on the fleet provisioning MQTT topics the FleetDemo stack serves, on the stack runner
 * (its claim certificate, template, provisioning role, pre-provisioning hook and verifier; AWS
 * IoT's side is the local cloud's): `$aws/certificates/create/json`, `create-from-csr/json` and
 * `$aws/provisioning-templates/<name>/provision/json`, plus what the claim may not do at all.
 * Every bad request is answered on `/rejected` with `{statusCode, errorCode, errorMessage}` (4xx,
 * the message naming the field where there is one) or, for what the claim policy does not allow,
 * by AWS IoT closing the connection; nothing changes in the registry. The table is
 * doc/security-review.md's (UPDATE_SECURITY_REVIEW=1 rewrites it from here).
 */
import { readFileSync, rmSync } from 'node:fs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as mqtt from 'mqtt';
import { Attempt, checkReviewTable, cloudState, DemoCloud, expectNoStackTrace, stableText, startDemoCloud } from './support/bad-input';
import { BadPki, forged } from './support/bad-pki';
import { synthesizeFleetDemo } from '../demo/support/fleet-demo-assembly';

jest.setTimeout(120_000);

const STACK = 'FleetDemo';
const pki = new BadPki();
const attempts: Attempt[] = [];
let cdkOut: string;
let cloud: DemoCloud;
let before: string;
let templateName: string;
let ownershipToken: string;
const claim = { cert: '', key: '' };
const pem: Record<string, string> = {};
let clientCounter = 0;

/** One MQTT connection as a device makes it: mutual TLS with `cert`/`key`, the local cloud's server CA trusted. */
function connect(cert: string, key: string): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtts://localhost:${cloud.runner.cloud.mqtt.port}`, {
      protocolVersion: 4,
      clientId: `bad-input-${clientCounter++}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      cert,
      key,
      ca: readFileSync(cloud.runner.cloud.serverIdentity.caCertificatePath),
    });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

type Outcome = { readonly kind: 'answer'; readonly topic: string; readonly payload: any } | { readonly kind: 'closed' } | { readonly kind: 'silence' };

/** Publishes `payload` on `topic` with the claim, subscribed to the API's answers first; the answer, or the connection closing. */
async function request(topic: string, payload: string | Buffer, answers = `${topic}/+`): Promise<Outcome> {
  const client = await connect(claim.cert, claim.key);
  try {
    const granted = await client.subscribeAsync(answers, { qos: 1 });
    if (granted[0]?.qos === 128) throw new Error(`subscription to ${answers} refused`);
    return await new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'silence' }), 5000);
      client.on('message', (answerTopic, message) => {
        clearTimeout(timer);
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.toString('utf8'));
        } catch {
          parsed = message.toString('utf8');
        }
        resolve({ kind: 'answer', topic: answerTopic, payload: parsed });
      });
      client.once('close', () => {
        clearTimeout(timer);
        resolve({ kind: 'closed' });
      });
      client.publish(topic, payload, { qos: 0 });
    });
  } finally {
    client.end(true);
  }
}

beforeAll(async () => {
  cdkOut = synthesizeFleetDemo();
  cloud = await startDemoCloud([cdkOut]);
  const outputs = cloud.outputs(STACK);
  templateName = outputs.TemplateName;
  // The claim, as the factory gets it: from the vault, as the factory role the stack granted.
  const factory = cloud.runner.iam.credentialsFor(outputs.FactoryRoleArn);
  const s3 = new S3Client({ region: cloud.runner.region, credentials: factory, endpoint: cloud.runner.endpoints.S3 });
  const read = async (name: string) => (await s3.send(new GetObjectCommand({ Bucket: outputs.VaultBucket, Key: `claims/${outputs.ClaimCertificateId}/${name}` })))
    .Body!.transformToString('utf8');
  claim.cert = await read('claim.cert.pem');
  claim.key = await read('claim.private_key.pem');
  s3.destroy();

  pem.good = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=fleet-sensor-bad-input');
  pem.rsa1024 = pki.csr(['-newkey', 'rsa:1024']);
  pem.secp256k1 = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1']);
  pem.ed25519 = pki.ed25519Csr();
  pem.certificate = pki.leaf('fleet-certificate');
  pem.strangerCert = pki.leaf('stranger');
  pem.strangerKey = pki.openssl.read('stranger.key');
  // One certificate from a good CSR, whose ownership token the RegisterThing cases spend (or fail to).
  const created = await request('$aws/certificates/create-from-csr/json', JSON.stringify({ certificateSigningRequest: pem.good }));
  if (created.kind !== 'answer' || !created.topic.endsWith('/accepted')) throw new Error(`CreateCertificateFromCsr failed: ${JSON.stringify(created)}`);
  ownershipToken = created.payload.certificateOwnershipToken;
  before = await cloudState(cloud);
}, 240_000);

afterAll(async () => {
  await cloud?.close();
  pki.dispose();
  if (cdkOut) rmSync(cdkOut, { recursive: true, force: true });
});

interface MqttCase {
  readonly tried: string;
  /** The request topic; `<template>` stands for the stack's template name. */
  readonly topic: string;
  readonly payload: () => string | Buffer;
  /** `rejected <status> <errorCode>` with the field its message must name; or 'closed' (AWS IoT disconnects the client). */
  readonly expect: { readonly status: number; readonly errorCode: string | RegExp; readonly field?: RegExp } | 'closed';
  /** The answers' filter, when not `<topic>/+`. */
  readonly answers?: string;
}

const CSR_TOPIC = '$aws/certificates/create-from-csr/json';
const CREATE_TOPIC = '$aws/certificates/create/json';
const PROVISION_TOPIC = '$aws/provisioning-templates/<template>/provision/json';
/** A CreateCertificateFromCsr payload; `value` is read when the case runs (the PEMs are made in beforeAll). */
const csr = (value: unknown | (() => unknown)) => () => JSON.stringify({ certificateSigningRequest: typeof value === 'function' ? value() : value });
const registerThing = (extra: Record<string, unknown>) => () => JSON.stringify({ certificateOwnershipToken: ownershipToken, ...extra });

const CASES: MqttCase[] = [
  // CreateCertificateFromCsr.
  { tried: 'CreateCertificateFromCsr: not JSON', topic: CSR_TOPIC, payload: () => '{"certificateSigningRequest":', expect: { status: 400, errorCode: 'InvalidPayload' } },
  { tried: 'CreateCertificateFromCsr: a JSON array', topic: CSR_TOPIC, payload: () => '[]', expect: { status: 400, errorCode: 'InvalidPayload' } },
  { tried: 'CreateCertificateFromCsr: an empty payload', topic: CSR_TOPIC, payload: () => '', expect: { status: 400, errorCode: 'InvalidPayload', field: /certificateSigningRequest/ } },
  {
    tried: 'CreateCertificateFromCsr: no certificateSigningRequest',
    topic: CSR_TOPIC,
    payload: () => '{"csr":"x"}',
    expect: { status: 400, errorCode: 'InvalidPayload', field: /certificateSigningRequest/ },
  },
  {
    tried: 'CreateCertificateFromCsr: certificateSigningRequest a number',
    topic: CSR_TOPIC,
    payload: csr(7),
    expect: { status: 400, errorCode: 'InvalidPayload', field: /certificateSigningRequest/ },
  },
  { tried: 'CreateCertificateFromCsr: certificateSigningRequest not PEM', topic: CSR_TOPIC, payload: csr('MIIB...'), expect: { status: 400, errorCode: /./ } },
  { tried: 'CreateCertificateFromCsr: a certificate instead of a CSR', topic: CSR_TOPIC, payload: csr(() => pem.certificate), expect: { status: 400, errorCode: /./ } },
  {
    tried: 'CreateCertificateFromCsr: a CSR cut short',
    topic: CSR_TOPIC,
    payload: csr(() => `${pem.good.slice(0, 150)}\n-----END CERTIFICATE REQUEST-----\n`),
    expect: { status: 400, errorCode: /./ },
  },
  { tried: 'CreateCertificateFromCsr: a CSR with an RSA-1024 key', topic: CSR_TOPIC, payload: csr(() => pem.rsa1024), expect: { status: 400, errorCode: /./ } },
  { tried: 'CreateCertificateFromCsr: a CSR with an Ed25519 key', topic: CSR_TOPIC, payload: csr(() => pem.ed25519), expect: { status: 400, errorCode: /./ } },
  { tried: 'CreateCertificateFromCsr: a CSR with a secp256k1 key', topic: CSR_TOPIC, payload: csr(() => pem.secp256k1), expect: { status: 400, errorCode: /./ } },
  { tried: 'CreateCertificateFromCsr: a CSR whose signature is forged', topic: CSR_TOPIC, payload: csr(() => forged(pem.good)), expect: { status: 400, errorCode: /./ } },
  {
    tried: 'CreateCertificateFromCsr: `\'; DROP TABLE certificates; --`',
    topic: CSR_TOPIC,
    payload: csr('\'; DROP TABLE certificates; --'),
    expect: { status: 400, errorCode: /./ },
  },
  { tried: 'CreateCertificateFromCsr: unicode and control characters', topic: CSR_TOPIC, payload: csr('Ω\u0000\u202e🔒'), expect: { status: 400, errorCode: /./ } },
  {
    tried: 'CreateCertificateFromCsr: a payload over 128 KiB',
    topic: CSR_TOPIC,
    payload: () => JSON.stringify({ certificateSigningRequest: 'A'.repeat(140 * 1024) }),
    expect: 'closed',
  },
  // CreateKeysAndCertificate.
  { tried: 'CreateKeysAndCertificate: not JSON', topic: CREATE_TOPIC, payload: () => 'please', expect: { status: 400, errorCode: 'InvalidPayload' } },
  { tried: 'CreateKeysAndCertificate: a JSON array', topic: CREATE_TOPIC, payload: () => '[1,2]', expect: { status: 400, errorCode: 'InvalidPayload' } },
  // RegisterThing.
  { tried: 'RegisterThing: not JSON', topic: PROVISION_TOPIC, payload: () => '{"certificateOwnershipToken":', expect: { status: 400, errorCode: 'InvalidPayload' } },
  {
    tried: 'RegisterThing: no certificateOwnershipToken',
    topic: PROVISION_TOPIC,
    payload: () => JSON.stringify({ parameters: { SerialNumber: 'fleet-sensor-9' } }),
    expect: { status: 400, errorCode: 'InvalidCertificateOwnershipToken', field: /ownership token/i },
  },
  {
    tried: 'RegisterThing: certificateOwnershipToken a number',
    topic: PROVISION_TOPIC,
    payload: registerThing({ certificateOwnershipToken: 7 }),
    expect: { status: 400, errorCode: 'InvalidCertificateOwnershipToken', field: /ownership token/i },
  },
  {
    tried: 'RegisterThing: a made-up certificateOwnershipToken',
    topic: PROVISION_TOPIC,
    payload: registerThing({ certificateOwnershipToken: 'eyJhbGciOiJub25lIn0.eyJjZXJ0IjoieCJ9.', parameters: { SerialNumber: 'fleet-sensor-9' } }),
    expect: { status: 400, errorCode: 'InvalidCertificateOwnershipToken', field: /ownership token/i },
  },
  {
    tried: 'RegisterThing: the token with a character changed',
    topic: PROVISION_TOPIC,
    payload: () => JSON.stringify({ certificateOwnershipToken: `${ownershipToken.slice(0, -2)}xx`, parameters: { SerialNumber: 'fleet-sensor-9' } }),
    expect: { status: 400, errorCode: 'InvalidCertificateOwnershipToken', field: /ownership token/i },
  },
  {
    tried: 'RegisterThing: parameters a string',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: 'SerialNumber=fleet-sensor-9' }),
    expect: { status: 400, errorCode: 'InvalidPayload', field: /parameters/ },
  },
  {
    tried: 'RegisterThing: parameters an array',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: ['fleet-sensor-9'] }),
    expect: { status: 400, errorCode: 'InvalidPayload', field: /parameters/ },
  },
  {
    tried: 'RegisterThing: a parameter that is a number',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: { SerialNumber: 9 } }),
    expect: { status: 400, errorCode: 'InvalidPayload', field: /parameters/ },
  },
  {
    tried: 'RegisterThing: no SerialNumber (the template names the thing by it)',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: {} }),
    expect: { status: 403, errorCode: 'AccessDenied' },
  },
  {
    tried: 'RegisterThing: a SerialNumber the verifier does not know',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: { SerialNumber: 'intruder-7' } }),
    expect: { status: 403, errorCode: 'AccessDenied' },
  },
  {
    tried: 'RegisterThing: SerialNumber `fleet-sensor-1\'; DROP TABLE things; --`',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: { SerialNumber: 'fleet-sensor-1\'; DROP TABLE things; --' } }),
    expect: { status: 403, errorCode: 'AccessDenied' },
  },
  {
    tried: 'RegisterThing: SerialNumber `fleet-sensor-Ω`',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: { SerialNumber: 'fleet-sensor-Ω' } }),
    expect: { status: 403, errorCode: 'AccessDenied' },
  },
  {
    tried: 'RegisterThing: SerialNumber `fleet-sensor-../../x`',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: { SerialNumber: 'fleet-sensor-../../x' } }),
    expect: { status: 403, errorCode: 'AccessDenied' },
  },
  {
    tried: 'RegisterThing: SerialNumber of 2000 characters',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: { SerialNumber: `fleet-sensor-${'9'.repeat(2000)}` } }),
    expect: { status: 403, errorCode: 'AccessDenied' },
  },
  {
    tried: 'RegisterThing: 200 parameters',
    topic: PROVISION_TOPIC,
    payload: registerThing({ parameters: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, 'x'])) }),
    expect: { status: 403, errorCode: 'AccessDenied' },
  },
  // What the claim may not do: AWS IoT closes the connection (MQTT 3.1.1 has no negative PUBACK).
  {
    tried: 'RegisterThing on another template (not in the claim policy)',
    topic: '$aws/provisioning-templates/SomeoneElsesTemplate/provision/json',
    payload: registerThing({ parameters: { SerialNumber: 'fleet-sensor-9' } }),
    answers: `$aws/provisioning-templates/${'<template>'}/provision/json/+`,
    expect: 'closed',
  },
  {
    tried: 'a forged JITR event on `$aws/events/certificates/registered/<id>`',
    topic: `$aws/events/certificates/registered/${'a'.repeat(64)}`,
    payload: () => JSON.stringify({ certificateId: 'b'.repeat(64), caCertificateId: 'a'.repeat(64), certificateStatus: 'PENDING_ACTIVATION' }),
    answers: `${CSR_TOPIC}/+`,
    expect: 'closed',
  },
  {
    tried: 'a forged registry event on `$aws/events/thing/x/created`',
    topic: '$aws/events/thing/x/created',
    payload: () => '{"eventType":"THING_EVENT"}',
    answers: `${CSR_TOPIC}/+`,
    expect: 'closed',
  },
  {
    tried: 'a publish on a device topic (`things/fleet-sensor-1/hello`)',
    topic: 'things/fleet-sensor-1/hello',
    payload: () => 'hello',
    answers: `${CSR_TOPIC}/+`,
    expect: 'closed',
  },
];

describe.each(CASES.map((testCase) => ({ ...testCase, title: testCase.tried })))('$title', (testCase) => {
  test('answered as AWS IoT answers bad requests, no stack trace', async () => {
    const topic = testCase.topic.replace('<template>', templateName);
    const outcome = await request(topic, testCase.payload(), testCase.answers?.replace('<template>', templateName));
    const got = outcome.kind === 'closed' ? 'connection closed by AWS IoT'
      : outcome.kind === 'silence' ? 'no answer'
        : `${outcome.topic.endsWith('/rejected') ? 'rejected' : 'ACCEPTED'} ${outcome.payload?.statusCode} ${outcome.payload?.errorCode}: ${stableText(String(outcome.payload?.errorMessage))}`;
    attempts.push({ endpoint: stableText(testCase.topic.replace('$aws/certificates/', '').replace('$aws/provisioning-templates/<template>/', '')), tried: testCase.tried, got });
    if (testCase.expect === 'closed') {
      expect(outcome).toEqual({ kind: 'closed' });
      return;
    }
    expect(outcome.kind).toBe('answer');
    if (outcome.kind !== 'answer') return;
    expect(outcome.topic).toBe(`${topic}/rejected`);
    expect(outcome.payload).toEqual({
      statusCode: testCase.expect.status, errorCode: expect.stringMatching(testCase.expect.errorCode), errorMessage: expect.any(String),
    });
    expectNoStackTrace(outcome.payload.errorMessage);
    if (testCase.expect.field) expect(outcome.payload.errorMessage).toMatch(testCase.expect.field);
  });
});

describe('who may connect', () => {
  test('no client certificate: the TLS handshake or the CONNECT is refused', async () => {
    await expect(new Promise((resolve, reject) => {
      const client = mqtt.connect(`mqtts://localhost:${cloud.runner.cloud.mqtt.port}`, {
        protocolVersion: 4, clientId: 'no-certificate', reconnectPeriod: 0, connectTimeout: 5000, ca: readFileSync(cloud.runner.cloud.serverIdentity.caCertificatePath),
      });
      client.once('connect', () => resolve(client.end(true)));
      client.once('error', (error) => reject(error));
      client.once('close', () => reject(new Error('closed')));
    })).rejects.toBeDefined();
    attempts.push({ endpoint: 'CONNECT', tried: 'no client certificate', got: 'refused' });
  });

  test('a certificate AWS IoT does not know (self-signed): refused', async () => {
    await expect(connect(pem.strangerCert, pem.strangerKey)).rejects.toBeDefined();
    attempts.push({ endpoint: 'CONNECT', tried: 'a self-signed certificate AWS IoT does not know', got: 'refused' });
  });

  test('the claim certificate with another key (the stranger\'s): refused', async () => {
    await expect(connect(claim.cert, pem.strangerKey)).rejects.toBeDefined();
    attempts.push({ endpoint: 'CONNECT', tried: 'the claim certificate with a key that is not its own', got: 'refused' });
  });

  test('the claim subscribing to `#`: the subscription is refused (SUBACK 0x80)', async () => {
    const client = await connect(claim.cert, claim.key);
    try {
      // mqtt.js turns a SUBACK with 0x80 into this error.
      await expect(client.subscribeAsync('#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    } finally {
      client.end(true);
    }
    attempts.push({ endpoint: 'SUBSCRIBE', tried: 'the claim subscribing to `#`', got: 'SUBACK 0x80 (refused)' });
  });
});

test('nothing changed: no thing, no new certificate, no attachment; the token\'s certificate is as it was', async () => {
  await cloud.runner.settled();
  expect(await cloudState(cloud)).toEqual(before);
  expect(cloud.functionLog.join('\n')).not.toMatch(/\n\s+at /);
});

test('doc/security-review.md lists what was tried and what each got', () => {
  expect(attempts).toHaveLength(CASES.length + 4);
  checkReviewTable('fleetMqtt', attempts);
});
