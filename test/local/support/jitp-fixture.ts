import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetRegistrationCodeCommand, IoTClient, RegisterCACertificateCommand } from '@aws-sdk/client-iot';
import type { DeviceFiles } from './jitr-fixture';
import { defaultDevicePolicyDocument } from '../../../demo/shared/default-device-policy';
import {
  certificateIdOf,
  createCaCertificate,
  createVerificationCertificate,
  issueDeviceCertificateWithNewKey,
  type GeneratedCa,
  type KeyAlgorithm,
  type SubjectFields,
} from '../../../lambda-assets/shared/pki';
import type { GatewayMessage } from '../../../local/gateway';
import { startLocalCloud, type LocalCloud } from '../../../local/local-cloud';

/** The JITP parameters AWS IoT fills from the device certificate (AWS IoT Developer Guide, "Just-in-time provisioning"). */
const COMMON_NAME = 'AWS::IoT::Certificate::CommonName';
const COUNTRY = 'AWS::IoT::Certificate::Country';
const ORGANIZATION = 'AWS::IoT::Certificate::Organization';
const CERTIFICATE_ID = 'AWS::IoT::Certificate::Id';

/**
 * A JITP template as the AWS docs describe one: the thing named by the certificate's CN, with
 * attributes from its Country and Organization; the certificate itself (by its id) made ACTIVE;
 * an inline policy. Every declared parameter must be in the certificate, or provisioning fails.
 */
export function jitpTemplateBody(policyDocument: string): string {
  return JSON.stringify({
    Parameters: {
      [COMMON_NAME]: { Type: 'String' },
      [COUNTRY]: { Type: 'String' },
      [ORGANIZATION]: { Type: 'String' },
      [CERTIFICATE_ID]: { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: { Ref: COMMON_NAME },
          AttributePayload: { version: 'v1', country: { Ref: COUNTRY }, organization: { Ref: ORGANIZATION } },
        },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: CERTIFICATE_ID }, Status: 'ACTIVE' },
      },
      policy: {
        Type: 'AWS::IoT::Policy',
        Properties: { PolicyDocument: policyDocument },
      },
    },
  });
}

/** What the gateway logged about one JITP attempt. */
export interface JitpLogLine {
  readonly event: 'jitp';
  readonly certificateId: string;
  readonly caCertificateId: string;
  readonly provisioned: boolean;
  readonly reason?: string;
}

/**
 * A local cloud with one CA registered for JITP through the SDK, as a user would with the AWS
 * CLI: DEFAULT mode (verification certificate), ACTIVE, auto-registration on, and a
 * `registrationConfig` carrying the template and the provisioning role. Nothing of ours runs
 * on connect but the local cloud itself.
 */
export class JitpFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'local-jitp-'));
  readonly messages: GatewayMessage[] = [];
  readonly log: Record<string, unknown>[] = [];
  cloud!: LocalCloud;
  iot!: IoTClient;
  ca!: GeneratedCa;
  caCertificateId!: string;
  policyDocument!: string;

  async start(): Promise<void> {
    this.cloud = await startLocalCloud({ stateDirectory: this.dir, rateLimits: false, log: (line) => this.log.push(line) });
    this.cloud.mqtt.onMessage((message) => this.messages.push(message));
    const { region, accountId } = this.cloud.model;
    this.iot = new IoTClient({ endpoint: this.cloud.controlPlaneUrl, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { registrationCode } = await this.iot.send(new GetRegistrationCodeCommand({}));
    this.ca = await createCaCertificate({ subject: { commonName: 'Local JITP CA', organizationName: 'Example Corp' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    const verification = await createVerificationCertificate(this.ca.authority, registrationCode!);
    // The constructs' default device policy: every statement scoped to the thing the connection is attached to.
    this.policyDocument = defaultDevicePolicyDocument(region, accountId);
    const registered = await this.iot.send(new RegisterCACertificateCommand({
      caCertificate: this.ca.certificatePem,
      verificationCertificate: verification.certificatePem,
      setAsActive: true,
      allowAutoRegistration: true,
      registrationConfig: {
        templateBody: jitpTemplateBody(this.policyDocument),
        roleArn: `arn:aws:iam::${accountId}:role/JITPRole`,
      },
    }));
    this.caCertificateId = registered.certificateId!;
  }

  /** A device key and certificate of the JITP CA, written out as clients read them. */
  async device(name: string, keyAlgorithm: KeyAlgorithm, subject: SubjectFields = { commonName: name, countryName: 'DE', organizationName: 'ExampleCorp' }): Promise<DeviceFiles> {
    const issued = await issueDeviceCertificateWithNewKey(this.ca.authority, { keyAlgorithm, subject, validityDays: 30 });
    const file = (suffix: string, content: string) => {
      const path = join(this.dir, `${name}.${suffix}`);
      writeFileSync(path, content);
      return path;
    };
    return {
      thingName: name,
      certPath: file('cert.pem', issued.certificatePem),
      keyPath: file('key.pem', issued.privateKeyPem),
      caPath: file('ca.pem', this.ca.certificatePem),
      chainPath: file('chain.pem', issued.certificatePem + this.ca.certificatePem),
      certificateId: issued.certificateId,
    };
  }

  /**
   * A device whose key, CSR and certificate the `openssl` command line makes, signed with the JITP
   * CA's key, as AWS's JITP walkthrough does it: nothing of our PKI touches the device's side.
   * Subject `/CN=<name>/C=DE/O=ExampleCorp`, what the template reads.
   */
  opensslDevice(name: string, keyAlgorithm: 'RSA-2048' | 'ECDSA-P256'): DeviceFiles {
    const path = (suffix: string) => join(this.dir, `${name}.${suffix}`);
    const caKeyPath = path('ca.key.pem');
    writeFileSync(caKeyPath, this.ca.privateKeyPem, { mode: 0o600 });
    writeFileSync(path('ca.pem'), this.ca.certificatePem);
    const keyOptions = keyAlgorithm === 'RSA-2048' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    openssl('genpkey', ...keyOptions, '-out', path('key.pem'));
    openssl('req', '-new', '-key', path('key.pem'), '-subj', `/CN=${name}/C=DE/O=ExampleCorp`, '-out', path('csr.pem'));
    openssl('x509', '-req', '-in', path('csr.pem'), '-CA', path('ca.pem'), '-CAkey', caKeyPath, '-set_serial', `0x${Date.now().toString(16)}`,
      '-days', '30', '-sha256', '-out', path('cert.pem'));
    rmSync(caKeyPath);
    const certificatePem = readFileSync(path('cert.pem'), 'utf8');
    writeFileSync(path('chain.pem'), certificatePem + this.ca.certificatePem);
    return {
      thingName: name,
      certPath: path('cert.pem'),
      keyPath: path('key.pem'),
      caPath: path('ca.pem'),
      chainPath: path('chain.pem'),
      certificateId: certificateIdOf(certificatePem),
    };
  }

  /** The gateway's JITP decisions so far, oldest first. */
  jitpLog(): JitpLogLine[] {
    return this.log.filter((line): line is Record<string, unknown> & JitpLogLine => line.event === 'jitp');
  }

  /** Payloads a client published on a topic, as the gateway accepted them. */
  published(topic: string, clientId: string): string[] {
    return this.messages.filter((message) => message.topic === topic && message.clientId === clientId).map((message) => message.payload.toString());
  }

  /**
   * Like {@link published}, once at least `count` messages are there (or `timeoutMs` passed). The
   * gateway acknowledges a QoS 1 PUBLISH before it hands the message on, as AWS IoT may, so a
   * client can exit before the message reaches `onMessage`.
   */
  async publishedEventually(topic: string, clientId: string, count = 1, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.published(topic, clientId).length < count && Date.now() < deadline) await sleep(20);
    return this.published(topic, clientId);
  }

  async stop(): Promise<void> {
    this.iot?.destroy();
    await this.cloud?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
