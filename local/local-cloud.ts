import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCloudFaults } from './faults';
import { createServerIdentity, startMqttGateway, type GatewayCounters, type GatewayLog, type MqttGateway, type ServerIdentity } from './gateway';
import { IotModel, startControlPlane, type RegistrySnapshot } from './iot';
import type { AccessControl } from './runner/iam/types';

export interface LocalCloudOptions {
  /**
   * Where the server CA and certificate are written, and the registry when the cloud closes
   * (`iot-registry.json`): started again on the same directory, the cloud has the CAs, certificates,
   * things, policies and attachments it had, and devices keep trusting the same server CA.
   */
  readonly stateDirectory: string;
  /** Keep the registry in the state directory across restarts (see stateDirectory). @default true */
  readonly persistRegistry?: boolean;
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
  /** Test-only fault switches (local/faults.ts); none by default. */
  readonly faults?: LocalCloudFaults;
}

/** What the cloud has counted since it started: for load tests and benchmarks. */
export interface LocalCloudCounters extends GatewayCounters {
  /** Control-plane calls refused with ThrottlingException, per operation. */
  readonly throttledCalls: Readonly<Record<string, number>>;
  /** Control-plane calls let through by the rate limits, per operation. */
  readonly admittedCalls: Readonly<Record<string, number>>;
  /** Control-plane requests answered 500 by the fault switch, before or after the operation took effect. */
  readonly injectedInternalFailures: { readonly beforeEffect: number; readonly afterEffect: number };
}

export interface LocalCloud {
  readonly model: IotModel;
  readonly controlPlaneUrl: string;
  readonly mqtt: MqttGateway;
  readonly mqttUrl: string;
  readonly serverIdentity: ServerIdentity;
  /** True when the registry was read back from the state directory. */
  readonly restoredRegistry: boolean;
  counters(): LocalCloudCounters;
  close(): Promise<void>;
}

/** The registry file in the state directory. */
export const REGISTRY_FILE = 'iot-registry.json';

/** The AWS IoT control plane and the MQTT/TLS gateway, sharing one registry. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const serverIdentity = await createServerIdentity(join(options.stateDirectory, 'tls'));
  let mqttPort = options.mqttPort ?? 0;
  const registryFile = join(options.stateDirectory, REGISTRY_FILE);
  const persist = options.persistRegistry ?? true;
  const restoreFrom = persist ? readRegistry(registryFile) : undefined;
  let model: IotModel;
  try {
    model = new IotModel({
      accountId: options.accountId,
      region: options.region,
      rateLimits: options.rateLimits ?? true,
      // DescribeEndpoint answers with the gateway's address once it is known.
      dataEndpoint: () => `localhost:${mqttPort}`,
      restoreFrom,
    });
  } catch (error) {
    if (!restoreFrom) throw error;
    throw new Error(`${registryFile}: ${(error as Error).message}; remove it to start with an empty registry`);
  }
  const controlPlane = await startControlPlane({
    model, port: options.controlPlanePort ?? 0, accessControl: options.accessControl, faults: options.faults,
  });
  let mqtt: MqttGateway;
  try {
    mqtt = await startMqttGateway({
      registry: model,
      serverCertificatePem: serverIdentity.certificatePem,
      serverPrivateKeyPem: serverIdentity.privateKeyPem,
      port: mqttPort,
      log: options.log,
      duplicateRegistrationEvents: options.faults?.duplicateRegistrationEvents,
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
    restoredRegistry: restoreFrom !== undefined,
    counters: () => ({
      ...mqtt.counters(),
      throttledCalls: model.throttledCalls(),
      admittedCalls: model.admittedCalls(),
      injectedInternalFailures: controlPlane.injectedInternalFailures(),
    }),
    close: async () => {
      model.setEventPublisher(undefined);
      await mqtt.close();
      await controlPlane.close();
      // After both are closed: nothing changes the registry any more.
      if (persist) writeRegistry(registryFile, model.snapshot());
    },
  };
}

/** The registry a previous run left in the state directory, if any. A file that is not one fails the start, naming it. */
function readRegistry(file: string): RegistrySnapshot | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RegistrySnapshot;
  } catch (error) {
    throw new Error(`${file} is not a registry the local cloud wrote (${(error as Error).message}); remove it to start with an empty registry`);
  }
}

/** Written aside and renamed, so a crash while writing leaves the previous registry, never half a file. */
function writeRegistry(file: string, snapshot: RegistrySnapshot): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, JSON.stringify(snapshot));
  renameSync(partial, file);
}
