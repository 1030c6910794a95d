/**
 * An error the caller caused: mapped to a 4xx answer with
 * `{error: {code, message}}`, where the message names the offending field.
 */
export class ClientError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Fields the answer carries beside `error` (e.g. the id of what the request collided with). */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export function badRequest(code: string, message: string): ClientError {
  return new ClientError(400, code, message);
}

export function invalidField(field: string, problem: string): ClientError {
  return new ClientError(400, 'InvalidField', `${field}: ${problem}`);
}
