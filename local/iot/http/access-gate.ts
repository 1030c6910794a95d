import type { IncomingMessage } from 'node:http';
import { AuthenticationError, type AccessControl, type Principal } from '../../runner/iam/types';

/** An answer that stops a request before the model sees it: HTTP status, `x-amzn-errortype`, message. */
export interface Refusal {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/**
 * Who signed the request, or the refusal AWS would answer a missing, unknown or wrong signature with.
 * `body` is the one copy the server read: the signature covers its hash, and the route binding
 * needs it again afterwards, so the stream cannot be read here a second time.
 */
export function authenticateCaller(
  accessControl: AccessControl,
  request: IncomingMessage,
  body: Buffer,
): { principal: Principal } | { refusal: Refusal } {
  try {
    const principal = accessControl.authenticate({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body }, 'iot');
    return { principal };
  } catch (error) {
    if (error instanceof AuthenticationError) {
      return { refusal: { status: error.httpStatus, errorType: error.code, message: error.message } };
    }
    throw error;
  }
}

/**
 * Checks `iot:<operation>` on every resource the operation touches; the first one denied is the
 * refusal, worded as AWS IoT words AccessDeniedException.
 */
export function authorizeOperation(
  accessControl: AccessControl,
  principal: Principal,
  operation: string,
  resources: readonly string[],
): Refusal | undefined {
  const action = `iot:${operation}`;
  for (const resource of resources) {
    const decision = accessControl.authorize({ principal, action, resource });
    if (!decision.allowed) {
      return {
        status: 403,
        errorType: 'AccessDeniedException',
        message: decision.reason,
      };
    }
  }
  return undefined;
}
