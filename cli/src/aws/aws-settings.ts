import { IoTClient } from '@aws-sdk/client-iot';
import { KMSClient } from '@aws-sdk/client-kms';
import { credentialChain } from './credentials';
import { apiBaseUrl, regionOfApiUrl, type StackApi } from './stack-api';
import { stringOption, type OptionValues } from '../command';
import { CliError, EXIT, usageError } from '../exit-codes';

/**
 * Where AWS is and who calls it. Nothing here is hard-coded: what the options do not give, the
 * AWS SDK finds where every AWS tool looks (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_IOT,
 * ~/.aws/config and ~/.aws/credentials, SSO, instance roles).
 */
export interface AwsSettings {
  readonly region?: string;
  readonly profile?: string;
  /**
   * The endpoint of the service the command calls: the AWS IoT control plane, or AWS KMS for
   * `device cert --kms-key`; otherwise the SDK's (which reads AWS_ENDPOINT_URL_IOT, AWS_ENDPOINT_URL_KMS).
   */
  readonly endpointUrl?: string;
}

export function awsSettings(values: OptionValues): AwsSettings {
  const endpointUrl = stringOption(values, 'endpoint-url');
  if (endpointUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(endpointUrl)) {
    throw usageError(`--endpoint-url: expected an http(s) URL, got "${endpointUrl}"`);
  }
  return { region: stringOption(values, 'region'), profile: stringOption(values, 'profile'), endpointUrl };
}

const NO_REGION_HINT = 'pass --region, set AWS_REGION, or set region in the profile (aws configure)';

/** An AWS IoT client for these settings; fails now, with what to do, when no Region can be found. */
export async function iotClient(settings: AwsSettings): Promise<IoTClient> {
  const client = new IoTClient({
    region: settings.region,
    profile: settings.profile,
    endpoint: settings.endpointUrl,
    credentials: credentialChain(settings.profile),
  });
  await regionOf(client);
  return client;
}

/**
 * A KMS client for these settings, whose retries absorb throttling of Sign (KMS's request quotas
 * are per account and Region); fails now, with what to do, when no Region can be found.
 */
export async function kmsClient(settings: AwsSettings): Promise<KMSClient> {
  const client = new KMSClient({
    region: settings.region,
    profile: settings.profile,
    endpoint: settings.endpointUrl,
    credentials: credentialChain(settings.profile),
    maxAttempts: 6,
    retryMode: 'standard',
  });
  await regionOf(client);
  return client;
}

/** The Region the client resolved (options, environment, profile). */
export async function regionOf(client: IoTClient | KMSClient): Promise<string> {
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // "Region is missing": answered below with what to do.
  }
  throw new CliError('no AWS Region is configured', EXIT.AWS_CONFIG, NO_REGION_HINT);
}

/** The stack API of `--api`, signed for the Region in its host name, else the configured one. */
export async function stackApiFor(settings: AwsSettings, apiText: string): Promise<StackApi> {
  const baseUrl = apiBaseUrl(apiText);
  const region = regionOfApiUrl(baseUrl) ?? await regionOf(await iotClient(settings));
  return { baseUrl, region, credentials: credentialChain(settings.profile) };
}
