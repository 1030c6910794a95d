import { DEFAULT_MAX_DELAY_MS } from './backoff';
import { DeviceConfig } from './device-args';
import { retryWithBackoff } from './retry';

/** An open MQTT connection, whichever client library holds it. */
export interface DeviceSession {
  /** Publishes at QoS 1 and resolves on PUBACK. */
  publish(topic: string, payload: string): Promise<void>;
  /** Sends DISCONNECT and releases the connection. */
  disconnect(): Promise<void>;
}

/**
 * One connection attempt: resolves with a session once the broker accepted the CONNECT,
 * rejects (and leaves nothing open) when the attempt failed in any way.
 */
export type Connector = (config: DeviceConfig) => Promise<DeviceSession>;

/** The outcome of a device run. */
export interface DeviceRunResult {
  readonly attempts: number;
}

/**
 * The JITR device flow: connect with back-off until AWS IoT accepts the certificate
 * (the first connects fail while it is PENDING_ACTIVATION), publish one QoS 1 message,
 * disconnect. Throws RetriesExhaustedError when every attempt failed.
 */
export async function runDevice(config: DeviceConfig, connect: Connector, log: (line: string) => void): Promise<DeviceRunResult> {
  log(`connecting to ${config.endpoint}:${config.port} as ${config.clientId} (up to ${config.maxAttempts} attempts)`);
  const { value: session, attempts } = await retryWithBackoff(() => connect(config), {
    maxAttempts: config.maxAttempts,
    baseDelayMs: config.baseDelayMs,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    log,
  });
  try {
    await session.publish(config.topic, config.message);
    log(`published to ${config.topic} (QoS 1, acknowledged)`);
  } finally {
    await session.disconnect();
    log('disconnected');
  }
  return { attempts };
}
