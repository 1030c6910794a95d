import { randomBytes, randomUUID } from 'node:crypto';

/** A request id in the UUID form API Gateway returns in x-amzn-RequestId. */
export function newRequestId(): string {
  return randomUUID();
}

/** The short extended request id API Gateway returns in x-amz-apigw-id (e.g. `AbCdEfGhIAMEaBc=`). */
export function newExtendedRequestId(): string {
  return randomBytes(11).toString('base64').slice(0, 15) + '=';
}
