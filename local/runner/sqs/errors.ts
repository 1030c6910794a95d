/** The SQS error codes the local queues raise, named as the SQS API names them. */
export type SqsErrorCode =
  | 'InvalidParameterValue'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'QueueAlreadyExists'
  | 'UnsupportedOperation';

/** An error of the local SQS stand-in, carrying the code SQS would answer with. */
export class SqsError extends Error {
  constructor(readonly code: SqsErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SqsError';
  }
}

/** Throws InvalidParameterValue unless `value` is an integer in [min, max]. */
export function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SqsError('InvalidParameterValue', `${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
