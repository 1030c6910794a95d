import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import * as mqtt from 'mqtt';
import { main as fleetDevice } from '../../../demo/fleet/device-identity';
import { certificateIdOf } from '../../../lambda-assets/shared/pki';
import { DEVICE_POLICY, FleetFixture, HOOKED_TEMPLATE, PLAIN_TEMPLATE, type ClaimFiles } from '../support/fleet-fixture';
import { connectOnce } from '../support/raw-mqtt';

/**
 * Fleet provisioning by claim through the local cloud, as devices see it on AWS: the SDK's
 * identity client (aws-iot-device-sdk-v2) over mutual TLS with a claim certificate gets a
 * certificate of its own (CreateKeysAndCertificate or CreateCertificateFromCsr), registers its
 * thing through a template gated by a pre-provisioning hook, and reconnects as that thing.
 * Rejections, the claim policy and the privacy of answers are checked with a raw mqtt.js client.
 */
const fixture = new FleetFixture();
let claim: ClaimFiles;
beforeAll(async () => {
  await fixture.start();
  claim = await fixture.claim('main', [HOOKED_TEMPLATE, PLAIN_TEMPLATE]);
}, 30_000);
afterAll(() => fixture.stop());

interface DeviceRun {
  readonly code: number;
  readonly info: string[];
  readonly errors: string[];
  readonly outDir: string;
}

async function runFleetDevice(serial: string, mode: 'keys' | 'csr', claimFiles: ClaimFiles = claim, template = HOOKED_TEMPLATE): Promise<DeviceRun> {
  const outDir = fixture.outDir(serial);
  const info: string[] = [];
  const errors: string[] = [];
  const code = await fleetDevice([
    '--endpoint', 'localhost', '--port', String(fixture.cloud.mqtt.port),
    '--claim-cert', claimFiles.certPath, '--claim-key', claimFiles.keyPath,
    '--root-ca', fixture.cloud.serverIdentity.caCertificatePath,
    '--template', template, '--serial', serial, '--mode', mode, '--out-dir', outDir, '--timeout-ms', '5000',
  ], { info: (line) => info.push(line), error: (line) => errors.push(line) });
  return { code, info, errors, outDir };
}

function deviceFiles(outDir: string): { certificatePem: string; keyPem: string; certificateId: string } {
  const certificatePem = readFileSync(join(outDir, 'device.cert.pem'), 'utf8');
  return { certificatePem, keyPem: readFileSync(join(outDir, 'device.key.pem'), 'utf8'), certificateId: certificateIdOf(certificatePem) };
}

/** The field names the device saw in an accepted answer (the script names them, never their values). */
function acceptedFields(lines: string[], step: string): string[] {
  const line = lines.find((candidate) => candidate.startsWith(`${step} accepted:`));
  return /\(fields: ([^)]*)\)/.exec(line ?? '')?.[1]?.split(', ') ?? [];
}

describe.each<['keys' | 'csr', string]>([
  ['keys', 'CreateKeysAndCertificate'],
  ['csr', 'CreateCertificateFromCsr'],
])('aws-iot-device-sdk-v2 identity client, --mode %s', (mode, createStep) => {
  const serial = `ok-${mode}-0001`;
  const thingName = `device-${serial}`;
  let run: DeviceRun;
  beforeAll(async () => {
    run = await runFleetDevice(serial, mode);
  }, 30_000);

  test('the script exits 0 after publishing with its new identity', () => {
    expect({ code: run.code, errors: run.errors }).toEqual({ code: 0, errors: [] });
    expect(run.info).toContain(`RegisterThing accepted: thing ${thingName}, deviceConfiguration `
      + `{"FallbackUrl":"https://example.com/fallback","LocationUrl":"https://example.com/devices/${serial}"}`);
  });

  test('the thing exists with the new certificate ACTIVE attached, and the shared policy on that certificate', async () => {
    const { certificateId, certificatePem } = deviceFiles(run.outDir);
    const { certificateDescription } = await fixture.iot.send(new DescribeCertificateCommand({ certificateId }));
    expect(certificateDescription).toMatchObject({ status: 'ACTIVE', certificatePem });
    const thing = await fixture.iot.send(new DescribeThingCommand({ thingName }));
    expect(thing.attributes).toEqual({ serial });
    const { principals } = await fixture.iot.send(new ListThingPrincipalsCommand({ thingName }));
    expect(principals).toEqual([certificateDescription!.certificateArn]);
    const { policies } = await fixture.iot.send(new ListAttachedPoliciesCommand({ target: certificateDescription!.certificateArn }));
    expect(policies?.map((policy) => policy.policyName)).toEqual([DEVICE_POLICY]);
  });

  test('the device\'s message arrived, published as the thing', () => {
    expect(fixture.published(`things/${thingName}/hello`, thingName)).toEqual([`hello from ${thingName}`]);
  });

  test('the pre-provisioning hook got AWS\'s payload', () => {
    const { certificateId, certificatePem } = deviceFiles(run.outDir);
    const calls = fixture.hookCalls.filter((call) => call.payload.parameters.SerialNumber === serial);
    expect(calls).toEqual([{
      targetArn: fixture.hookArn,
      payload: {
        claimCertificateId: claim.certificateId,
        certificateId,
        certificatePem,
        templateArn: fixture.hookedTemplateArn,
        clientId: `claim-${serial}`,
        parameters: { SerialNumber: serial },
      },
    }]);
  });

  test('the device holds the key of its certificate', () => {
    const { certificatePem, keyPem } = deviceFiles(run.outDir);
    const certificate = new X509Certificate(certificatePem);
    expect(certificate.publicKey.export({ type: 'spki', format: 'der' })).toEqual(createPublicKey(keyPem).export({ type: 'spki', format: 'der' }));
  });

  if (mode === 'keys') {
    test('CreateKeysAndCertificate answered the key pair AWS IoT made (RSA 2048)', () => {
      expect(acceptedFields(run.info, createStep)).toEqual(['certificateId', 'certificateOwnershipToken', 'certificatePem', 'privateKey']);
      expect(createPublicKey(deviceFiles(run.outDir).keyPem).asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    });
  } else {
    test('the private key never left the device: the answer carried no key, the certificate certifies the device\'s own ECDSA key', () => {
      expect(acceptedFields(run.info, createStep)).toEqual(['certificateId', 'certificateOwnershipToken', 'certificatePem']);
      expect(run.info).toContain('made an ECDSA P-256 key and a CSR on the device');
      const { certificatePem, keyPem } = deviceFiles(run.outDir);
      expect(createPublicKey(keyPem).asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
      // The CSR's subject was kept.
      expect(new X509Certificate(certificatePem).subject).toBe(`CN=${serial}`);
    });
  }
});

describe('the pre-provisioning hook denies', () => {
  const serial = 'unknown-0002';
  let run: DeviceRun;
  beforeAll(async () => {
    run = await runFleetDevice(serial, 'keys');
  }, 30_000);

  test('the script exits 1 and prints the /rejected payload as AWS IoT sends it', () => {
    expect(run.code).toBe(1);
    const line = run.errors.find((candidate) => candidate.startsWith('error: RegisterThing rejected: '));
    expect(line).toBeDefined();
    expect(JSON.parse(line!.slice('error: RegisterThing rejected: '.length))).toEqual({
      statusCode: 403,
      errorCode: 'AccessDenied',
      errorMessage: expect.any(String),
    });
    expect(fixture.hookCalls.filter((call) => call.payload.parameters.SerialNumber === serial)).toHaveLength(1);
  });

  test('no thing was created and the new certificate is not ACTIVE', async () => {
    await expect(fixture.iot.send(new DescribeThingCommand({ thingName: `device-${serial}` }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const { certificateId } = deviceFiles(run.outDir);
    const { certificateDescription } = await fixture.iot.send(new DescribeCertificateCommand({ certificateId }));
    expect(certificateDescription?.status).toBe('PENDING_ACTIVATION');
    expect(fixture.published(`things/device-${serial}/hello`, `device-${serial}`)).toEqual([]);
  });
});

// ---------------------------------------------------------------- raw mqtt.js, for precise control

function connectClaim(claimFiles: ClaimFiles, clientId: string): Promise<mqtt.MqttClient> {
  return connectOnce({
    port: fixture.cloud.mqtt.port,
    clientId,
    cert: claimFiles.certificatePem,
    key: claimFiles.privateKeyPem,
    ca: readFileSync(fixture.cloud.serverIdentity.caCertificatePath),
  });
}

interface Answer {
  readonly outcome: 'accepted' | 'rejected';
  readonly payload: Record<string, unknown>;
}

/** Subscribes to `<topic>/accepted` and `/rejected`, publishes the request, and resolves with the first answer. */
async function ask(client: mqtt.MqttClient, topic: string, request: unknown): Promise<Answer> {
  await client.subscribeAsync([`${topic}/accepted`, `${topic}/rejected`], { qos: 1 });
  const answer = new Promise<Answer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer on ${topic} within 5 s`)), 5000);
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== `${topic}/accepted` && received !== `${topic}/rejected`) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ outcome: received.endsWith('/accepted') ? 'accepted' : 'rejected', payload: JSON.parse(payload.toString()) as Record<string, unknown> });
    };
    client.on('message', onMessage);
  });
  await client.publishAsync(topic, typeof request === 'string' ? request : JSON.stringify(request), { qos: 1 });
  return answer;
}

async function countCertificates(): Promise<number> {
  let count = 0;
  let marker: string | undefined;
  do {
    const page = await fixture.iot.send(new ListCertificatesCommand({ marker, pageSize: 250 }));
    count += page.certificates?.length ?? 0;
    marker = page.nextMarker;
  } while (marker);
  return count;
}

const CREATE = '$aws/certificates/create/json';
const CREATE_FROM_CSR = '$aws/certificates/create-from-csr/json';
const PROVISION_PLAIN = `$aws/provisioning-templates/${PLAIN_TEMPLATE}/provision/json`;

describe('rejections, with the payloads AWS IoT sends', () => {
  let client: mqtt.MqttClient;
  beforeAll(async () => {
    client = await connectClaim(claim, 'raw-claim-rejections');
  });
  afterAll(() => client.endAsync());

  test('RegisterThing with a forged ownership token: 400 InvalidCertificateOwnershipToken', async () => {
    expect(await ask(client, PROVISION_PLAIN, { certificateOwnershipToken: 'forged', parameters: { SerialNumber: 'ok-forged' } })).toEqual({
      outcome: 'rejected',
      payload: { statusCode: 400, errorCode: 'InvalidCertificateOwnershipToken', errorMessage: expect.any(String) },
    });
  });

  test('RegisterThing without an ownership token: 400 InvalidCertificateOwnershipToken', async () => {
    expect(await ask(client, PROVISION_PLAIN, { parameters: { SerialNumber: 'ok-no-token' } })).toEqual({
      outcome: 'rejected',
      payload: { statusCode: 400, errorCode: 'InvalidCertificateOwnershipToken', errorMessage: 'Certificate ownership token cannot be empty.' },
    });
  });

  test('RegisterThing without the template\'s parameter: 400 InvalidParameters, and the certificate stays PENDING_ACTIVATION', async () => {
    const created = await ask(client, CREATE, {});
    expect(created.outcome).toBe('accepted');
    expect(Object.keys(created.payload).sort()).toEqual(['certificateId', 'certificateOwnershipToken', 'certificatePem', 'privateKey']);
    const answer = await ask(client, PROVISION_PLAIN, { certificateOwnershipToken: created.payload.certificateOwnershipToken, parameters: {} });
    expect(answer).toEqual({ outcome: 'rejected', payload: { statusCode: 400, errorCode: 'InvalidParameters', errorMessage: expect.any(String) } });
    const certificateId = created.payload.certificateId as string;
    const { certificateDescription } = await fixture.iot.send(new DescribeCertificateCommand({ certificateId }));
    expect(certificateDescription?.status).toBe('PENDING_ACTIVATION');
  });

  test('CreateCertificateFromCsr with something that is no CSR: 400 InvalidRequest', async () => {
    expect(await ask(client, CREATE_FROM_CSR, { certificateSigningRequest: 'not a CSR' })).toEqual({
      outcome: 'rejected',
      payload: { statusCode: 400, errorCode: 'InvalidRequest', errorMessage: expect.any(String) },
    });
  });
});

describe('the claim policy bounds a claim certificate', () => {
  test('a publish outside the provisioning topics closes the connection and delivers nothing', async () => {
    const client = await connectClaim(claim, 'raw-claim-intruder');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('things/someone/hello', 'from a claim', { qos: 1 });
    await closed;
    expect(fixture.messages.filter((message) => message.topic === 'things/someone/hello')).toEqual([]);
    client.end(true);
  });

  test('a claim policy granting Subscribe on topic/ ARNs (not topicfilter/) gets SUBACK 0x80', async () => {
    const wrong = await fixture.claim('wrong', [PLAIN_TEMPLATE], 'topic');
    const client = await connectClaim(wrong, 'raw-claim-wrong-policy');
    // mqtt.js rejects a SUBACK carrying 0x80 with the packet attached.
    const refused = await client.subscribeAsync(`${CREATE}/accepted`, { qos: 1 }).then(() => undefined, (error: { packet?: { granted?: number[] } }) => error);
    expect(refused?.packet?.granted).toEqual([128]);
    await client.endAsync();
  });

  test('the SDK device with that wrong claim policy fails at its first subscription (exit 1), before asking for anything', async () => {
    const wrong = await fixture.claim('wrong-sdk', [PLAIN_TEMPLATE], 'topic');
    const certificatesBefore = await countCertificates();
    const run = await runFleetDevice('ok-wrong-policy', 'keys', wrong, PLAIN_TEMPLATE);
    expect(run.code).toBe(1);
    expect(run.errors.join('\n')).toMatch(/CreateKeysAndCertificate: the subscription to \$aws\/certificates\/create\/json\/accepted was refused \(SUBACK 0x80\)/);
    expect(await countCertificates()).toBe(certificatesBefore);
  });
});

describe('answers go to the requesting connection only', () => {
  test('another claim device subscribed to the accepted topic never sees the first device\'s certificate and key', async () => {
    const other = await fixture.claim('other', [PLAIN_TEMPLATE]);
    const eavesdropper = await connectClaim(other, 'raw-claim-eavesdropper');
    const overheard: string[] = [];
    eavesdropper.on('message', (topic) => overheard.push(topic));
    await eavesdropper.subscribeAsync([`${CREATE}/accepted`, '$aws/certificates/create/#'], { qos: 1 });

    const requester = await connectClaim(claim, 'raw-claim-requester');
    const answer = await ask(requester, CREATE, {});
    expect(answer.outcome).toBe('accepted');
    expect(answer.payload.privateKey).toEqual(expect.stringContaining('PRIVATE KEY'));
    await sleep(300);
    expect(overheard).toEqual([]);

    // Its subscriptions are live: it gets the answers to its own requests, and the requester does not.
    const requesterHeard: string[] = [];
    requester.on('message', (topic) => requesterHeard.push(topic));
    const own = await ask(eavesdropper, CREATE, {});
    expect(own.outcome).toBe('accepted');
    expect(own.payload.certificateId).not.toBe(answer.payload.certificateId);
    await sleep(300);
    expect(requesterHeard).toEqual([]);
    // The answer reached its requester once, though two of its subscriptions match it.
    expect(overheard).toEqual([`${CREATE}/accepted`]);
    await Promise.all([requester.endAsync(), eavesdropper.endAsync()]);
  });
});
