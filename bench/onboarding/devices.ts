/**
 * The devices of the onboarding benchmark: certificates issued locally from a factory CA, and a
 * connect loop on mqtt.js (MQTT 3.1.1 over mutual TLS) that retries with the demo devices'
 * jittered back-off until the gateway accepts the CONNECT.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import { backoffDelayMs, DEFAULT_MAX_DELAY_MS } from '../../cli/src/device/backoff';
import { connectWithMqttJsUsing } from '../../demo/jitr/device-mqttjs';
import { issueDeviceCertificateWithNewKey, type CertificateAuthority } from '../../lambda-assets/shared/pki';

/** Every demo device's common name starts so: the JITR demo's allowList verifier admits it. */
export const DEVICE_NAME_PREFIX = 'demo-device-';

export interface BenchDevice {
  readonly name: string;
  readonly certificateId: string;
  /** The device certificate followed by the factory CA, as the device sends them in the TLS handshake. */
  readonly chainPem: string;
  readonly keyPem: string;
}

/** N devices with ECDSA P-256 keys, named demo-device-000001... */
export async function issueDevices(ca: CertificateAuthority, caCertificatePem: string, count: number, runId: string): Promise<BenchDevice[]> {
  const devices: BenchDevice[] = [];
  // A few at once: WebCrypto's key generation and signing overlap in libuv's thread pool.
  const batch = 16;
  for (let first = 0; first < count; first += batch) {
    const names = Array.from({ length: Math.min(batch, count - first) }, (_, i) => `${DEVICE_NAME_PREFIX}${runId}-${String(first + i + 1).padStart(6, '0')}`);
    devices.push(...await Promise.all(names.map(async (name) => {
      const issued = await issueDeviceCertificateWithNewKey(ca, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: name }, validityDays: 30 });
      return { name, certificateId: issued.certificateId, chainPem: issued.certificatePem + caCertificatePem, keyPem: issued.privateKeyPem };
    })));
  }
  return devices;
}

/** A device ready to connect: its TLS context (key, chain and trusted roots) made once, as a device does at boot. */
export interface BootedDevice extends BenchDevice {
  readonly tlsContext: SecureContext;
}

/**
 * Boots a device. The fleet does this for every device before the burst starts: building a TLS context
 * takes OpenSSL 3 a few milliseconds, which a real device spends once at boot on a CPU of its own, not on
 * every attempt on the cores the local cloud runs on.
 */
export function bootDevice(device: BenchDevice, rootCaPem: string): BootedDevice {
  return { ...device, tlsContext: createSecureContext({ cert: device.chainPem, key: device.keyPem, ca: rootCaPem }) };
}

/** Where devices connect: the gateway (re-read on every attempt, as a restarted cloud may move). */
export interface DeviceTarget {
  readonly host: string;
  /** The server CA the devices trust (the local stand-in for Amazon's roots). */
  readonly rootCaPem: string;
  port(): number;
}

/** One device's way through onboarding. */
export interface DeviceOutcome {
  readonly name: string;
  readonly accepted: boolean;
  readonly attempts: number;
  /** From the first connect attempt to the CONNACK that accepted it (or to giving up). */
  readonly elapsedMs: number;
  readonly lastError?: string;
}

export interface ConnectLoopOptions {
  readonly baseDelayMs: number;
  /** @default DEFAULT_MAX_DELAY_MS (30 s), the demo devices' cap */
  readonly maxDelayMs?: number;
  /** Stop retrying when this signal aborts (the run's deadline). */
  readonly signal: AbortSignal;
  /** Told when the device is accepted, with the time from its first attempt. */
  readonly onAccepted?: (outcome: DeviceOutcome) => void;
}

/**
 * Connects until accepted: the first connects are closed while the certificate is registered and
 * then PENDING_ACTIVATION; each closed attempt waits its back-off. Once accepted, the device sends
 * DISCONNECT: it is onboarded, and the benchmark measures onboarding, not idle connections.
 */
export async function onboardDevice(device: BootedDevice, target: DeviceTarget, options: ConnectLoopOptions): Promise<DeviceOutcome> {
  const connectOverKeptContext = connectWithMqttJsUsing(device.tlsContext);
  const started = performance.now();
  let lastError: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const session = await connectOverKeptContext({
        endpoint: target.host,
        port: target.port(),
        certChainPem: device.chainPem,
        keyPem: device.keyPem,
        rootCaPem: target.rootCaPem,
        clientId: device.name,
        topic: `things/${device.name}/hello`,
        message: 'hello',
        maxAttempts: 1,
        baseDelayMs: options.baseDelayMs,
        receive: false,
      });
      const outcome = { name: device.name, accepted: true, attempts: attempt, elapsedMs: performance.now() - started };
      options.onAccepted?.(outcome);
      await session.disconnect().catch(() => undefined);
      return outcome;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    const delay = backoffDelayMs(attempt, { baseDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS });
    try {
      await sleep(delay, undefined, { signal: options.signal });
    } catch {
      return { name: device.name, accepted: false, attempts: attempt, elapsedMs: performance.now() - started, lastError };
    }
  }
}
