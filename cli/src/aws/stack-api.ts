import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { usageError, CliError, EXIT } from '../exit-codes';
import { signedRequest } from './signed-request';

/**
 * A route of a cdk-iot-security stack's REST API (`/caRegister`, `/deviceCertificateGenerate`),
 * called as IAM-authorized APIs are: signed with SigV4 for execute-api by the caller's credentials.
 */
export interface StackApi {
  readonly baseUrl: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
}

/** The routes the CLI calls; a URL given with one of them is taken as the API's base. */
const ROUTES = ['/caRegister', '/deviceCertificateGenerate'];

/** The API's base URL from `--api`, which may be the base or any route's URL (as the stack outputs them). */
export function apiBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`--api: expected the stack API's URL (https://<id>.execute-api.<region>.amazonaws.com/<stage>/), got "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`--api: expected an http(s) URL, got "${text}"`);
  let path = url.pathname.replace(/\/+$/, '');
  for (const route of ROUTES) if (path.endsWith(route)) path = path.slice(0, -route.length);
  return `${url.origin}${path}`;
}

/** The Region in an execute-api host name, which is the one to sign for; else undefined. */
export function regionOfApiUrl(baseUrl: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(baseUrl).hostname)?.[1];
}

/** POSTs `body` to `route`; answers the JSON body of a 2xx, or throws a CliError saying what the API refused. */
export async function postToStackApi(api: StackApi, route: string, body: unknown): Promise<any> {
  const url = `${api.baseUrl}${route}`;
  let answer;
  try {
    answer = await signedRequest(url, { method: 'POST', body: JSON.stringify(body), credentials: await api.credentials(), region: api.region });
  } catch (error) {
    if (error instanceof CliError) throw error;
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new CliError(`POST ${url}: cannot reach the API (${cause?.code ?? (error as Error).message})`, EXIT.AWS_CONFIG,
      'check --api (the stack output); for the local cloud, the URL `local up` printed for it');
  }
  if (answer.status >= 200 && answer.status < 300 && answer.json && typeof answer.json === 'object') return answer.json;
  const apiError = answer.json?.error as { code?: string; message?: string } | undefined;
  const gatewayMessage = typeof answer.json?.message === 'string' ? answer.json.message as string : undefined;
  const detail = apiError ? `${apiError.code}: ${apiError.message}` : gatewayMessage ?? answer.text.slice(0, 200);
  if (answer.status === 403 && !apiError) {
    throw new CliError(`POST ${route} was refused (403: ${detail})`, EXIT.REFUSED,
      'the caller needs execute-api:Invoke on this route: the construct\'s grant (grantCaRegister, grantDeviceCertificateGenerate) gives it');
  }
  const code = answer.status >= 400 && answer.status < 500 ? EXIT.REFUSED : EXIT.FAILURE;
  throw new CliError(`POST ${route} answered ${answer.status}: ${detail}`, code);
}
