import * as path from 'node:path';
import type { LocalFunctionDefinition } from './types';

/** What every function's environment is built from, besides the function itself. */
export interface EnvironmentSettings {
  readonly region: string;
  /** e.g. { IOT: 'http://127.0.0.1:1234' } -> AWS_ENDPOINT_URL_IOT, which the AWS SDK for JavaScript v3 honours. */
  readonly serviceEndpoints: Readonly<Record<string, string>>;
  readonly sdkModulesDirectory: string;
  /** A scratch directory standing in for Lambda's writable /tmp, given as HOME. */
  readonly homeDirectory: string;
}

export const DEFAULT_MEMORY_SIZE_MB = 128;
export const DEFAULT_TIMEOUT_SECONDS = 3;

/** Lambda's log group for a function. */
export function logGroupNameFor(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** `AWS_ENDPOINT_URL_<SERVICE>`: the service key upper-cased, anything but letters and digits as `_`. */
export function endpointVariableFor(serviceKey: string): string {
  return `AWS_ENDPOINT_URL_${serviceKey.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The environment one instance of a function runs with, and nothing of the host's: Lambda's
 * defaults that a function may change (PATH, LANG, TZ, NODE_PATH), then the template's variables,
 * then the variables Lambda reserves, which always win (a template cannot move the function to
 * another region, or point it away from the local services).
 */
export function functionEnvironment(
  definition: LocalFunctionDefinition,
  settings: EnvironmentSettings,
  logStreamName: string,
): Record<string, string> {
  const defaults: Record<string, string> = {
    PATH: ['/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    HOME: settings.homeDirectory,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: settings.sdkModulesDirectory,
  };
  const credentials = definition.role.credentials;
  const reserved: Record<string, string> = {
    _HANDLER: definition.handler,
    AWS_REGION: settings.region,
    AWS_DEFAULT_REGION: settings.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${definition.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySizeMb ?? DEFAULT_MEMORY_SIZE_MB),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupNameFor(definition.functionName),
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    LAMBDA_TASK_ROOT: definition.codeDirectory,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
  };
  for (const [serviceKey, url] of Object.entries(settings.serviceEndpoints)) {
    reserved[endpointVariableFor(serviceKey)] = url;
  }
  const environment: Record<string, string> = { ...defaults, ...definition.environment, ...reserved };
  // Without a session token in the role's credentials, a template's token must not pair with them.
  if (credentials.sessionToken === undefined) {
    delete environment.AWS_SESSION_TOKEN;
  }
  return environment;
}
