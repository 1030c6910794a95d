import { DEFAULT_MAX_DELAY_MS } from './backoff';
import { retryWithBackoff } from './retry';

/** What a device needs to connect, publish one message and leave. */
export interface DeviceConfig {
  readonly endpoint: string;
  readonly port: number;
  /** The device certificate followed by the CA chain (PEM), as sent in the TLS handshake. */
  readonly certChainPem: string;
  readonly keyPem: string;
  /** The server trust: every certificate of the --root-ca file (PEM). */
  readonly rootCaPem: string;
  readonly clientId: string;
  readonly topic: string;
  readonly message: string;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Subscribe to the topic first and wait until the published message comes back (the policy's Subscribe and Receive). */
  readonly receive: boolean;
}

/** An open MQTT connection, whichever client library holds it. */
export interface DeviceSession {
  /** Publishes at QoS 1 and resolves on PUBACK. */
  publish(topic: string, payload: string): Promise<void>;
  /** Subscribes at QoS 1 and resolves on SUBACK; rejects when the broker refuses the filter. */
  subscribe(topicFilter: string, onMessage: (topic: string, payload: string) => void): Promise<void>;
  /** Sends DISCONNECT and releases the connection. */
  disconnect(): Promise<void>;
}

/** How long a device waits for its own message to come back. */
const RECEIVE_TIMEOUT_MS = 10_000;

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
    const echo = config.receive ? await subscribeForEcho(session, config, log) : undefined;
    await session.publish(config.topic, config.message);
    log(`published to ${config.topic} (QoS 1, acknowledged)`);
    if (echo) {
      await echo.received;
      log(`received its own message on ${config.topic}`);
    }
  } finally {
    await session.disconnect();
    log('disconnected');
  }
  return { attempts };
}

/** Subscribes to the device's topic; `received` settles when the message comes back or the wait times out. */
async function subscribeForEcho(
  session: DeviceSession, config: DeviceConfig, log: (line: string) => void,
): Promise<{ readonly received: Promise<void> }> {
  let resolveEcho!: () => void;
  const echo = new Promise<void>((resolve) => { resolveEcho = resolve; });
  await session.subscribe(config.topic, (topic, payload) => {
    if (topic === config.topic && payload === config.message) resolveEcho();
  });
  log(`subscribed to ${config.topic} (QoS 1, acknowledged)`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the message did not come back on ${config.topic} within ${RECEIVE_TIMEOUT_MS} ms`)), RECEIVE_TIMEOUT_MS);
  });
  return { received: Promise.race([echo, timeout]).finally(() => clearTimeout(timer)) };
}
