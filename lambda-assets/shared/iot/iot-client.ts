import { IoTClient } from '@aws-sdk/client-iot';
import { ControlPlaneRetryStrategy } from './control-plane-retry';

/**
 * An IoT client whose retries absorb the control plane's low rate limits (10-15 TPS per account):
 * throttled calls come back after a short jittered wait, transient errors as the SDK would retry
 * them (see ControlPlaneRetryStrategy). IOT_MAX_ATTEMPTS and IOT_MAX_THROTTLED_ATTEMPTS (not set by
 * the constructs) change the attempts per call.
 */
export function createIotClient(
  maxAttempts = Number(process.env.IOT_MAX_ATTEMPTS ?? 10),
  maxThrottledAttempts = process.env.IOT_MAX_THROTTLED_ATTEMPTS ? Number(process.env.IOT_MAX_THROTTLED_ATTEMPTS) : undefined,
): IoTClient {
  return new IoTClient({ maxAttempts, retryStrategy: new ControlPlaneRetryStrategy({ maxAttempts, maxThrottledAttempts }) });
}
