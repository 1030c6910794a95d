import { IoTClient } from '@aws-sdk/client-iot';

/**
 * An IoT client whose retries absorb the control plane's low rate limits
 * (10-15 TPS per account): the SDK's standard strategy retries
 * ThrottlingException with exponential back-off and full jitter; we only
 * give it more attempts than the default three.
 */
export function createIotClient(maxAttempts = Number(process.env.IOT_MAX_ATTEMPTS ?? 8)): IoTClient {
  return new IoTClient({ maxAttempts, retryMode: 'standard' });
}
