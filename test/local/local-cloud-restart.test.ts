/**
 * The local cloud started again on the same state directory: its registry is kept (written when it
 * closes, read when it starts), so certificates stay ACTIVE with their things and policies, and devices
 * keep trusting the same server CA; a just-in-time registered certificate still PENDING_ACTIVATION is
 * announced again on its next connect. Off with persistRegistry: false; a broken file fails the start.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeCertificateCommand, GetRegistrationCodeCommand, IoTClient, RegisterCACertificateCommand, RegisterCertificateCommand } from '@aws-sdk/client-iot';
import { DEVICE_POLICY, makeCa, makeDevice, verificationFor } from './iot/model/fixtures';
import { connectOnce } from './support/raw-mqtt';
import type { GatewayMessage } from '../../local/gateway';
import { REGISTRY_FILE, startLocalCloud, type LocalCloud } from '../../local/local-cloud';

const scratch: string[] = [];
const running: LocalCloud[] = [];

afterAll(async () => {
  for (const cloud of running) await cloud.close().catch(() => undefined);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function stateDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-cloud-restart-'));
  scratch.push(dir);
  return dir;
}

async function start(dir: string, persistRegistry?: boolean): Promise<LocalCloud> {
  const cloud = await startLocalCloud({ stateDirectory: dir, rateLimits: false, persistRegistry });
  running.push(cloud);
  return cloud;
}

async function close(cloud: LocalCloud): Promise<void> {
  await cloud.close();
  running.splice(running.indexOf(cloud), 1);
}

function client(cloud: LocalCloud): IoTClient {
  return new IoTClient({ endpoint: cloud.controlPlaneUrl, region: cloud.model.region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
}

test('a restarted cloud keeps its registry and server CA: an ACTIVE device connects; a pending one is announced again', async () => {
  const dir = stateDirectory();
  const first = await start(dir);
  expect(first.restoredRegistry).toBe(false);
  const iot = client(first);
  const ca = await makeCa('Restart CA');
  const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
  const { certificateId: caCertificateId } = await iot.send(new RegisterCACertificateCommand({
    caCertificate: ca.certificatePem,
    verificationCertificate: await verificationFor(ca, registrationCode!),
    setAsActive: true,
    allowAutoRegistration: true,
  }));
  const active = await makeDevice(ca, { commonName: 'restart-active' });
  const { certificateArn } = await iot.send(new RegisterCertificateCommand({
    certificatePem: active.certificatePem, caCertificatePem: ca.certificatePem, status: 'ACTIVE',
  }));
  await first.model.createPolicy({ policyName: 'AllowConnect', policyDocument: DEVICE_POLICY.replace('${iot:Connection.Thing.ThingName}', '*') });
  await first.model.attachPolicy({ policyName: 'AllowConnect', target: certificateArn! });
  await first.model.createThing({ thingName: 'restart-active' });
  await first.model.attachThingPrincipal({ thingName: 'restart-active', principal: certificateArn! });
  const pending = await makeDevice(ca, { commonName: 'restart-pending' });
  first.model.registerPendingCertificate(pending.certificatePem, caCertificateId!);
  const serverCa = first.serverIdentity.caCertificatePem;
  const port = first.mqtt.port;
  iot.destroy();
  await close(first);
  expect(existsSync(join(dir, REGISTRY_FILE))).toBe(true);

  const second = await startLocalCloud({ stateDirectory: dir, rateLimits: false, mqttPort: port });
  running.push(second);
  expect(second.restoredRegistry).toBe(true);
  expect(second.serverIdentity.caCertificatePem).toBe(serverCa);
  const again = client(second);
  const described = await again.send(new DescribeCertificateCommand({ certificateId: active.certificateId }));
  expect(described.certificateDescription?.status).toBe('ACTIVE');
  expect((await again.send(new GetRegistrationCodeCommand({}))).registrationCode).toBe(registrationCode);
  again.destroy();
  expect(second.model.thingsOfPrincipal(certificateArn!)).toEqual(['restart-active']);

  // The device trusts the server CA it had before the restart, and reconnects to the same port.
  const device = await connectOnce({ port, clientId: 'restart-active', cert: active.certificatePem + ca.certificatePem, key: active.privateKeyPem, ca: serverCa });
  await device.endAsync();

  const messages: GatewayMessage[] = [];
  second.mqtt.onMessage((message) => messages.push(message));
  await expect(connectOnce({ port, clientId: 'restart-pending', cert: pending.certificatePem + ca.certificatePem, key: pending.privateKeyPem, ca: serverCa }))
    .rejects.toThrow();
  expect(messages.map((message) => [message.topic, JSON.parse(message.payload.toString()).certificateId])).toEqual([
    [`$aws/events/certificates/registered/${caCertificateId}`, pending.certificateId],
  ]);
  expect(second.counters()).toMatchObject({ connectionsAccepted: 1, registrationEvents: 1 });
});

test('with persistRegistry: false nothing is written and nothing is read', async () => {
  const dir = stateDirectory();
  const first = await start(dir);
  await first.model.createThing({ thingName: 'kept' });
  await close(first);

  const forgetful = await start(dir, false);
  expect(forgetful.restoredRegistry).toBe(false);
  expect(forgetful.model.thing('kept')).toBeUndefined();
  await forgetful.model.createThing({ thingName: 'not-kept' });
  const before = readFileSync(join(dir, REGISTRY_FILE), 'utf8');
  await close(forgetful);
  expect(readFileSync(join(dir, REGISTRY_FILE), 'utf8')).toBe(before);

  const third = await start(dir);
  expect(third.model.thing('kept')).toBeDefined();
  expect(third.model.thing('not-kept')).toBeUndefined();
  await close(third);
});

test('a registry file that is not one, or of another account, fails the start and names the file', async () => {
  const dir = stateDirectory();
  writeFileSync(join(dir, REGISTRY_FILE), '{ not json');
  await expect(startLocalCloud({ stateDirectory: dir, rateLimits: false })).rejects.toThrow(`${join(dir, REGISTRY_FILE)} is not a registry the local cloud wrote`);

  const other = stateDirectory();
  const cloud = await start(other);
  await close(cloud);
  await expect(startLocalCloud({ stateDirectory: other, rateLimits: false, accountId: '210987654321' }))
    .rejects.toThrow(/iot-registry\.json: the registry snapshot is of account 123456789012 .*; remove it to start with an empty registry/);
});
