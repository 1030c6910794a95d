import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatePolicyCommand, GetRegistrationCodeCommand, IoTClient, RegisterCACertificateCommand } from '@aws-sdk/client-iot';
import { defaultDevicePolicyDocument } from '../../../demo/shared/default-device-policy';
import { activateDevice } from '../../../lambda-assets/device-activator/activate-device';
import { cachedCaOwnership } from '../../../lambda-assets/device-activator/ca-ownership';
import { parseRegisteredEvent } from '../../../lambda-assets/device-activator/registered-event';
import { ownershipTags } from '../../../lambda-assets/shared/iot/ownership-tags';
import { createLogger } from '../../../lambda-assets/shared/logging/logger';
import { createCaCertificate, createVerificationCertificate, issueDeviceCertificateWithNewKey, type GeneratedCa, type KeyAlgorithm } from '../../../lambda-assets/shared/pki';
import type { GatewayMessage } from '../../../local/gateway';
import { startLocalCloud, type LocalCloud } from '../../../local/local-cloud';

export const REGISTRAR_ID = 'LocalTest/jitr';

/** The construct's default device policy, for this local account and Region. */
export const defaultDevicePolicy = defaultDevicePolicyDocument;

export interface DeviceFiles {
  readonly thingName: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string;
  /** Device certificate followed by its CA, for clients that take one file. */
  readonly chainPath: string;
  readonly certificateId: string;
}

/**
 * A local cloud with one JITR CA registered as our CA registrator would, the
 * shared device policy, and our real device activator (its domain code, with a
 * real IoTClient against the local control plane) reacting to registration events.
 */
export class JitrFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'local-jitr-'));
  readonly messages: GatewayMessage[] = [];
  readonly activations: Promise<unknown>[] = [];
  cloud!: LocalCloud;
  iot!: IoTClient;
  ca!: GeneratedCa;
  caCertificateId!: string;
  private policyName = '';

  async start(): Promise<void> {
    this.cloud = await startLocalCloud({ stateDirectory: this.dir, rateLimits: false });
    this.iot = new IoTClient({ endpoint: this.cloud.controlPlaneUrl, region: this.cloud.model.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { registrationCode } = await this.iot.send(new GetRegistrationCodeCommand({}));
    this.ca = await createCaCertificate({ subject: { commonName: 'Local JITR CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    const verification = await createVerificationCertificate(this.ca.authority, registrationCode!);
    const registered = await this.iot.send(new RegisterCACertificateCommand({
      caCertificate: this.ca.certificatePem,
      verificationCertificate: verification.certificatePem,
      setAsActive: true,
      allowAutoRegistration: true,
      tags: ownershipTags(REGISTRAR_ID, undefined),
    }));
    this.caCertificateId = registered.certificateId!;
    const policy = await this.iot.send(new CreatePolicyCommand({ policyName: 'LocalDevicePolicy', policyDocument: defaultDevicePolicy(this.cloud.model.region, this.cloud.model.accountId) }));
    this.policyName = policy.policyName!;
    const lookupCa = cachedCaOwnership(this.iot, REGISTRAR_ID);
    const logger = createLogger({ test: 'local-jitr' }, () => undefined);
    this.cloud.mqtt.onMessage((message) => {
      this.messages.push(message);
      if (!message.topic.startsWith('$aws/events/certificates/registered/')) return;
      this.activations.push(activateDevice(
        { iot: this.iot, lookupCa, verify: async () => ({ verified: true }), policyName: this.policyName, logger },
        parseRegisteredEvent(message.payload.toString()),
      ));
    });
  }

  async device(thingName: string, keyAlgorithm: KeyAlgorithm): Promise<DeviceFiles> {
    const issued = await issueDeviceCertificateWithNewKey(this.ca.authority, { keyAlgorithm, subject: { commonName: thingName }, validityDays: 30 });
    const file = (name: string, content: string) => {
      const path = join(this.dir, `${thingName}.${name}`);
      writeFileSync(path, content);
      return path;
    };
    return {
      thingName,
      certPath: file('cert.pem', issued.certificatePem),
      keyPath: file('key.pem', issued.privateKeyPem),
      caPath: file('ca.pem', this.ca.certificatePem),
      chainPath: file('chain.pem', issued.certificatePem + this.ca.certificatePem),
      certificateId: issued.certificateId,
    };
  }

  registrationEvents(certificateId: string): Record<string, unknown>[] {
    return this.messages
      .filter((message) => message.topic === `$aws/events/certificates/registered/${this.caCertificateId}`)
      .map((message) => JSON.parse(message.payload.toString()) as Record<string, unknown>)
      .filter((event) => event.certificateId === certificateId);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.activations);
    this.iot?.destroy();
    await this.cloud?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
