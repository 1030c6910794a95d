import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateProvisioningTemplateCommand,
  IoTClient,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { defaultDevicePolicy } from './jitr-fixture';
import type { GatewayMessage } from '../../../local/gateway';
import type { PreProvisioningHookPayload } from '../../../local/iot';
import { startLocalCloud, type LocalCloud } from '../../../local/local-cloud';

/** The template with a pre-provisioning hook (the happy paths and the denied one). */
export const HOOKED_TEMPLATE = 'FleetWithHook';
/** A template without a hook, for rejections the hook must not decide (bad token, missing parameter). */
export const PLAIN_TEMPLATE = 'FleetPlain';
export const DEVICE_POLICY = 'FleetDevicePolicy';
/** Serials the hook allows start with this. */
export const ALLOWED_SERIAL_PREFIX = 'ok-';

/** The fleet template: thing `device-<SerialNumber>`, the requesting certificate made ACTIVE, the shared policy, a device configuration. */
export function fleetTemplateBody(policyName: string): string {
  return JSON.stringify({
    Parameters: {
      'SerialNumber': { Type: 'String' },
      'AWS::IoT::Certificate::Id': { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: { 'Fn::Join': ['', ['device-', { Ref: 'SerialNumber' }]] },
          AttributePayload: { serial: { Ref: 'SerialNumber' } },
        },
      },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: policyName } },
    },
    DeviceConfiguration: {
      FallbackUrl: 'https://example.com/fallback',
      LocationUrl: { 'Fn::Join': ['', ['https://example.com/devices/', { Ref: 'SerialNumber' }]] },
    },
  });
}

/**
 * The claim policy of AWS's fleet provisioning guide: Connect; Publish and Receive on the three
 * request topic trees as `topic/` ARNs; Subscribe on the same as `topicfilter/` ARNs. With
 * `subscribeAs: 'topic'` it is written the classic wrong way (Subscribe on `topic/` ARNs), which
 * AWS IoT answers with a SUBACK failure.
 */
export function claimPolicy(region: string, accountId: string, templateNames: readonly string[], subscribeAs: 'topicfilter' | 'topic' = 'topicfilter'): string {
  const arn = (resource: string) => `arn:aws:iot:${region}:${accountId}:${resource}`;
  const topics = ['$aws/certificates/create/*', '$aws/certificates/create-from-csr/*', ...templateNames.map((name) => `$aws/provisioning-templates/${name}/provision/*`)];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/*') },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: topics.map((topic) => arn(`topic/${topic}`)) },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topics.map((topic) => arn(`${subscribeAs}/${topic}`)) },
    ],
  });
}

export interface ClaimFiles {
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
}

export interface HookCall {
  readonly targetArn: string;
  readonly payload: PreProvisioningHookPayload;
}

/**
 * A local cloud set up for fleet provisioning through `@aws-sdk/client-iot` only: the shared
 * device policy, a FLEET_PROVISIONING template with a pre-provisioning hook (allows serials
 * starting with `ok-`, records every call) and one without, and claim certificates made with
 * CreateKeysAndCertificate + CreatePolicy + AttachPolicy + UpdateCertificate ACTIVE.
 */
export class FleetFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'local-fleet-'));
  readonly messages: GatewayMessage[] = [];
  readonly hookCalls: HookCall[] = [];
  cloud!: LocalCloud;
  iot!: IoTClient;
  hookArn = '';
  hookedTemplateArn = '';

  async start(): Promise<void> {
    this.cloud = await startLocalCloud({ stateDirectory: this.dir, rateLimits: false });
    const { region, accountId } = this.cloud.model;
    this.iot = new IoTClient({ endpoint: this.cloud.controlPlaneUrl, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    this.cloud.mqtt.onMessage((message) => this.messages.push(message));

    await this.iot.send(new CreatePolicyCommand({ policyName: DEVICE_POLICY, policyDocument: defaultDevicePolicy(region, accountId) }));
    this.hookArn = `arn:aws:lambda:${region}:${accountId}:function:fleet-pre-provisioning-hook`;
    const roleArn = `arn:aws:iam::${accountId}:role/fleet-provisioning`;
    const hooked = await this.iot.send(new CreateProvisioningTemplateCommand({
      templateName: HOOKED_TEMPLATE,
      templateBody: fleetTemplateBody(DEVICE_POLICY),
      provisioningRoleArn: roleArn,
      enabled: true,
      type: 'FLEET_PROVISIONING',
      preProvisioningHook: { targetArn: this.hookArn, payloadVersion: '2020-04-01' },
    }));
    this.hookedTemplateArn = hooked.templateArn!;
    await this.iot.send(new CreateProvisioningTemplateCommand({
      templateName: PLAIN_TEMPLATE,
      templateBody: fleetTemplateBody(DEVICE_POLICY),
      provisioningRoleArn: roleArn,
      enabled: true,
      type: 'FLEET_PROVISIONING',
    }));
    // What the hook's Lambda would do: allow known serials, deny the rest.
    this.cloud.model.setPreProvisioningHookInvoker(async (targetArn, payload) => {
      this.hookCalls.push({ targetArn, payload });
      return { allowProvisioning: (payload.parameters.SerialNumber ?? '').startsWith(ALLOWED_SERIAL_PREFIX) };
    });
  }

  /** A claim certificate (ACTIVE) with its own claim policy for `templateNames`. */
  async claim(name: string, templateNames: readonly string[], subscribeAs: 'topicfilter' | 'topic' = 'topicfilter'): Promise<ClaimFiles> {
    const { region, accountId } = this.cloud.model;
    const created = await this.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: false }));
    const policyName = `${name}-claim-policy`;
    await this.iot.send(new CreatePolicyCommand({ policyName, policyDocument: claimPolicy(region, accountId, templateNames, subscribeAs) }));
    await this.iot.send(new AttachPolicyCommand({ policyName, target: created.certificateArn }));
    await this.iot.send(new UpdateCertificateCommand({ certificateId: created.certificateId, newStatus: 'ACTIVE' }));
    return {
      certificateId: created.certificateId!,
      certificatePem: created.certificatePem!,
      privateKeyPem: created.keyPair!.PrivateKey!,
      certPath: this.file(`${name}.claim.cert.pem`, created.certificatePem!),
      keyPath: this.file(`${name}.claim.key.pem`, created.keyPair!.PrivateKey!),
    };
  }

  /** A fresh directory for a device's output. */
  outDir(name: string): string {
    return mkdtempSync(join(this.dir, `${name}-`));
  }

  /** Payloads published on `topic` by `clientId`, as text. */
  published(topic: string, clientId: string): string[] {
    return this.messages.filter((message) => message.topic === topic && message.clientId === clientId).map((message) => message.payload.toString());
  }

  async stop(): Promise<void> {
    this.iot?.destroy();
    await this.cloud?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private file(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }
}
