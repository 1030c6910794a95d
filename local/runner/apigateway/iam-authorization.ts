/**
 * AWS_IAM methods: the SigV4 signature names the caller, then the caller's identity policies and the API's
 * resource policy must allow `execute-api:Invoke` on the method ARN. Methods without IAM authorization still
 * meet the resource policy, as the anonymous caller.
 */
import { GatewayError } from './gateway-error';
import { headerValue, ReceivedRequest } from './http-request';
import { AccessControl, AuthenticationError, PolicyDocument, Principal } from '../iam/types';

/** How the execute-api resource policy names a caller who did not sign the request. */
const ANONYMOUS: Principal = { arn: 'anonymous', accountId: '' };

export interface IamCaller {
  readonly principal: Principal;
  readonly accessKey?: string;
}

/** Throws the GatewayError API Gateway answers with when the signature is missing, wrong or not allowed. */
export function authorizeIamCaller(
  accessControl: AccessControl, resourcePolicy: PolicyDocument | undefined, request: ReceivedRequest, methodArn: string,
): IamCaller {
  let principal: Principal;
  try {
    principal = accessControl.authenticate({ method: request.method, url: request.rawUrl, headers: request.headers, body: request.body }, 'execute-api');
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new GatewayError(responseTypeForSignatureError(error.code), error.httpStatus, error.code, error.message);
    }
    throw error;
  }
  requireInvokeAllowed(accessControl, resourcePolicy, request, principal, methodArn);
  const accessKey = accessKeyOf(request);
  return { principal, ...(accessKey ? { accessKey } : {}) };
}

/** For NONE and CUSTOM methods: only a resource policy can refuse them, as it would the anonymous caller. */
export function checkResourcePolicyForAnonymous(
  accessControl: AccessControl, resourcePolicy: PolicyDocument | undefined, request: ReceivedRequest, methodArn: string,
): void {
  if (resourcePolicy) requireInvokeAllowed(accessControl, resourcePolicy, request, ANONYMOUS, methodArn);
}

function requireInvokeAllowed(
  accessControl: AccessControl, resourcePolicy: PolicyDocument | undefined, request: ReceivedRequest, principal: Principal, methodArn: string,
): void {
  const decision = accessControl.authorize({
    principal,
    action: 'execute-api:Invoke',
    resource: methodArn,
    ...(resourcePolicy ? { resourcePolicy } : {}),
    context: { 'aws:SourceIp': request.sourceIp },
  });
  if (decision.allowed) return;
  const explicit = /explicit deny/i.test(decision.reason) ? ' with an explicit deny' : '';
  const message = `User: ${principal.arn} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}${explicit}`;
  // API Gateway's IAM denial is the one answer spelled with a capital "Message".
  throw new GatewayError('ACCESS_DENIED', 403, 'AccessDeniedException', message, { defaultBody: JSON.stringify({ Message: message }) });
}

function responseTypeForSignatureError(code: string): string {
  if (/expired/i.test(code)) return 'EXPIRED_TOKEN';
  if (code === 'MissingAuthenticationTokenException') return 'MISSING_AUTHENTICATION_TOKEN';
  if (/signature/i.test(code)) return 'INVALID_SIGNATURE';
  return 'ACCESS_DENIED';
}

/** The access key id from `Credential=AKID/date/region/service/aws4_request` (header or presigned query). */
function accessKeyOf(request: ReceivedRequest): string | undefined {
  const fromHeader = /Credential=([^/,\s]+)\//.exec(headerValue(request, 'authorization') ?? '')?.[1];
  if (fromHeader) return fromHeader;
  const credential = new URL(request.rawUrl, 'http://localhost').searchParams.get('X-Amz-Credential');
  return credential?.split('/')[0] || undefined;
}
