import type { ActionOutcome, FailedActionName } from './actions';

/** One failed action, as AWS lists it in the error action's payload. */
export interface RuleFailure {
  readonly failedAction: FailedActionName;
  /** The queue URL or function ARN the action targeted. */
  readonly failedResource: string;
  readonly errorMessage: string;
}

/** The message an error action receives, shaped as AWS IoT documents it. */
export interface ErrorActionPayload {
  readonly ruleName: string;
  readonly topic: string;
  readonly cloudwatchTraceId: string;
  readonly clientId: string;
  readonly base64OriginalPayload: string;
  readonly failures: readonly RuleFailure[];
}

export function errorActionPayload(options: {
  readonly ruleName: string;
  readonly topic: string;
  readonly traceId: string;
  readonly clientId?: string;
  readonly payload: Buffer;
  readonly failed: readonly Extract<ActionOutcome, { ok: false }>[];
}): ErrorActionPayload {
  return {
    ruleName: options.ruleName,
    topic: options.topic,
    cloudwatchTraceId: options.traceId,
    // Messages AWS IoT publishes itself have no client; AWS writes n/a, as clientid() answers.
    clientId: options.clientId ?? 'n/a',
    base64OriginalPayload: options.payload.toString('base64'),
    failures: options.failed.map((outcome) => ({
      failedAction: outcome.action,
      failedResource: outcome.resource,
      errorMessage: outcome.errorMessage,
    })),
  };
}
