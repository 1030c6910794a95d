import { CliError, EXIT } from '../exit-codes';
import { NO_CREDENTIALS_HINT } from './credentials';

/** What to do when AWS IoT answers with this exception. */
const HINTS: Readonly<Record<string, string>> = {
  ResourceAlreadyExistsException: 'it is registered already: `ca list` shows it',
  CertificateConflictException: 'a CA with this subject and key is registered in another account: register it with --mode SNI_ONLY',
  CertificateValidationException: 'check that the certificate is a CA (CA:TRUE), unexpired, with an RSA >= 2048 or ECDSA P-256/384/521 key',
  RegistrationCodeValidationException: 'the verification certificate must carry this account\'s registration code as its CN',
  UnauthorizedException: 'the caller lacks the IAM permission for this call; check the identity with `aws sts get-caller-identity`',
  AccessDeniedException: 'the caller lacks the IAM permission for this call; check the identity with `aws sts get-caller-identity`',
  ResourceNotFoundException: 'check the id or name and the Region (--region)',
  LimitExceededException: 'an account quota is reached: delete what you no longer need or ask AWS for more',
  ThrottlingException: 'AWS throttled the call even after retries: wait a moment and run it again',
  InvalidRequestException: 'the request was refused as invalid; the message says which part',
};

/** The service a call goes to: named in the messages, with the variable that points the SDK elsewhere and its hints. */
export interface AwsService {
  readonly name: string;
  readonly endpointVariable: string;
  /** What to do when the service answers with this exception; unlisted ones get their message alone. */
  readonly hints: Readonly<Record<string, string>>;
}

export const AWS_IOT: AwsService = { name: 'AWS IoT', endpointVariable: 'AWS_ENDPOINT_URL_IOT', hints: HINTS };

/** Exceptions that mean the credentials, not the request, are at fault. */
const CREDENTIAL_FAULTS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException',
  'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken']);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

interface ServiceErrorFields {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/**
 * Turns what the SDK threw for `operation` into a CliError with an exit code and a hint. Errors
 * already explained (CliError) pass through, wherever the SDK wrapped them.
 */
export function explainAwsError(error: unknown, operation: string, endpoint?: string, service: AwsService = AWS_IOT): CliError {
  const explained = findCliError(error);
  if (explained) return explained;
  const fields = (error ?? {}) as ServiceErrorFields;
  const name = fields.name ?? 'Error';
  const message = (fields.message ?? String(error)).split('\n')[0];
  const networkCode = networkCodeOf(error);
  if (networkCode) {
    return new CliError(`${operation}: cannot reach ${endpoint ?? 'AWS'} (${networkCode})`, EXIT.AWS_CONFIG,
      `check --endpoint-url / ${service.endpointVariable} and the network; for the local cloud, is \`cdk-iot-security-cli local up\` running?`);
  }
  if (CREDENTIAL_FAULTS.has(name) || /Could not load credentials|credential/i.test(name)) {
    return new CliError(`${operation}: the credentials were refused (${name}: ${message})`, EXIT.AWS_CONFIG, NO_CREDENTIALS_HINT);
  }
  if (fields.$fault === 'client' || (fields.$metadata?.httpStatusCode ?? 0) >= 400 && (fields.$metadata?.httpStatusCode ?? 0) < 500) {
    return new CliError(`${service.name} refused ${operation}: ${name}: ${message}`, EXIT.REFUSED, service.hints[name]);
  }
  if (fields.$fault === 'server') {
    return new CliError(`${service.name} failed ${operation}: ${name}: ${message}`, EXIT.FAILURE, 'a fault on AWS\'s side: run it again in a moment');
  }
  return new CliError(`${operation}: ${message}`, EXIT.FAILURE);
}

function findCliError(error: unknown): CliError | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as ServiceErrorFields).cause, depth++) {
    if (current instanceof CliError) return current;
  }
  return undefined;
}

function networkCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as ServiceErrorFields).cause, depth++) {
    const code = (current as ServiceErrorFields).code;
    if (code && NETWORK_CODES.has(code)) return code;
    const errors = (current as { errors?: unknown[] }).errors; // AggregateError from happy-eyeballs connects
    const inner = Array.isArray(errors) ? errors.map(networkCodeOf).find(Boolean) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/** Runs one AWS call and explains its failure. */
export async function awsCall<T>(operation: string, call: () => Promise<T>, endpoint?: string, service: AwsService = AWS_IOT): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainAwsError(error, operation, endpoint, service);
  }
}
