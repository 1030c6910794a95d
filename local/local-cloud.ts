import { join } from 'node:path';
import { createServerIdentity, startMqttGateway, type GatewayLog, type MqttGateway, type ServerIdentity } from './gateway';
import { IotModel, startControlPlane } from './iot';
import type { AccessControl } from './runner/iam/types';

export interface LocalCloudOptions {
  /** Where the server CA and certificate are written. */
  readonly stateDirectory: string;
  readonly controlPlanePort?: number;
  readonly mqttPort?: number;
  readonly accountId?: string;
  readonly region?: string;
  /** AWS's default per-operation rate limits (true), none (false), or TPS per operation replacing the defaults. */
  readonly rateLimits?: boolean | Partial<Record<string, number>>;
  readonly log?: GatewayLog;
  /**
   * SigV4 authentication and IAM authorization for the control plane (each Lambda calls it with
   * its own role's credentials). None by default: any request is accepted, as before.
   */
  readonly accessControl?: AccessControl;
}

export interface LocalCloud {
  readonly model: IotModel;
  readonly controlPlaneUrl: string;
  readonly mqtt: MqttGateway;
  readonly mqttUrl: string;
  readonly serverIdentity: ServerIdentity;
  close(): Promise<void>;
}

/** The AWS IoT control plane and the MQTT/TLS gateway, sharing one registry. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const serverIdentity = await createServerIdentity(join(options.stateDirectory, 'tls'));
  let mqttPort = options.mqttPort ?? 0;
  const model = new IotModel({
    accountId: options.accountId,
    region: options.region,
    rateLimits: options.rateLimits ?? true,
    // DescribeEndpoint answers with the gateway's address once it is known.
    dataEndpoint: () => `localhost:${mqttPort}`,
  });
  const controlPlane = await startControlPlane({ model, port: options.controlPlanePort ?? 0, accessControl: options.accessControl });
  let mqtt: MqttGateway;
  try {
    mqtt = await startMqttGateway({
      registry: model,
      serverCertificatePem: serverIdentity.certificatePem,
      serverPrivateKeyPem: serverIdentity.privateKeyPem,
      port: mqttPort,
      log: options.log,
    });
  } catch (error) {
    // The MQTT port is taken, say: release the control plane's port too, or the caller's process never exits.
    await controlPlane.close();
    throw error;
  }
  mqttPort = mqtt.port;
  // AWS IoT's registry events (when enabled) leave through the broker as AWS IoT's own messages, QoS 0, like the
  // JITR event: subscribers with iot:Receive and the topic rules see them.
  const log = options.log ?? (() => undefined);
  model.setEventPublisher(async ({ topic, payload }) => {
    try {
      await mqtt.publish(topic, JSON.stringify(payload));
      log({ event: 'iot-event', topic });
    } catch (error) {
      log({ event: 'iot-event-failed', topic, error: String(error) });
    }
  });
  return {
    model,
    controlPlaneUrl: controlPlane.url,
    mqtt,
    mqttUrl: `mqtts://localhost:${mqtt.port}`,
    serverIdentity,
    close: async () => {
      model.setEventPublisher(undefined);
      await mqtt.close();
      await controlPlane.close();
    },
  };
}
