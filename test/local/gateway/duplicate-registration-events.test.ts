/**
 * The gateway's test-only fault switch that publishes every just-in-time registration event twice (as a
 * broker delivering a message again would), and the counters the benchmark reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud, type LocalCloud } from '../../../local/local-cloud';
import { makeCa, makeDevice, verificationFor } from '../iot/model/fixtures';
import { connectOnce } from '../support/raw-mqtt';

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function cloudWithCa(duplicateRegistrationEvents: boolean | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-duplicates-'));
  scratch.push(dir);
  const cloud = await startLocalCloud({ stateDirectory: dir, rateLimits: false, faults: { duplicateRegistrationEvents } });
  const ca = await makeCa('Duplicates CA');
  const { registrationCode } = await cloud.model.getRegistrationCode();
  const { certificateId } = await cloud.model.registerCACertificate({
    caCertificate: ca.certificatePem,
    verificationCertificate: await verificationFor(ca, registrationCode!),
    setAsActive: true,
    allowAutoRegistration: true,
  });
  const topics: string[] = [];
  cloud.mqtt.onMessage((message) => topics.push(message.topic));
  return { cloud, ca, caCertificateId: certificateId!, topics };
}

async function firstConnect(cloud: LocalCloud, ca: Awaited<ReturnType<typeof makeCa>>, name: string): Promise<void> {
  const device = await makeDevice(ca, { commonName: name });
  await expect(connectOnce({
    port: cloud.mqtt.port,
    clientId: name,
    cert: device.certificatePem + ca.certificatePem,
    key: device.privateKeyPem,
    ca: cloud.serverIdentity.caCertificatePem,
  })).rejects.toThrow();
}

test.each([
  [true, 2],
  [false, 1],
  [undefined, 1],
])('duplicateRegistrationEvents %s: a first connect announces the registration %d time(s), counted', async (duplicate, times) => {
  const { cloud, ca, caCertificateId, topics } = await cloudWithCa(duplicate);
  try {
    await firstConnect(cloud, ca, 'dup-device-1');
    await firstConnect(cloud, ca, 'dup-device-2');

    const registered = topics.filter((topic) => topic === `$aws/events/certificates/registered/${caCertificateId}`);
    expect(registered).toHaveLength(2 * times);
    expect(cloud.counters()).toMatchObject({ registrationEvents: 2 * times, connectionsAccepted: 0 });
  } finally {
    await cloud.close();
  }
});
