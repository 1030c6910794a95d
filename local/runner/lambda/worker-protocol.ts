/**
 * The messages between a function instance (worker-bootstrap.js, in a worker thread) and the
 * thread that runs it. Kept in one place because the worker side is plain JavaScript.
 */

/** What the worker is started with (its `workerData`). */
export interface WorkerStartData {
  readonly codeDirectory: string;
  /** The function's Handler setting, e.g. `index.handler` or `src/app.handler`. */
  readonly handler: string;
  /** Where `@aws-sdk/*` and `@smithy/*` resolve, as Lambda's runtime provides them. */
  readonly sdkModulesDirectory: string;
  /** Written to stdout and stderr, followed by the request id, when an invocation ends. */
  readonly endMarker: string;
}

/** The Lambda context fields that are plain data (the worker adds awsRequestId and the functions). */
export interface ContextData {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  /** The event as Lambda receives it: JSON. */
  readonly eventJson: string;
  /** Epoch milliseconds when the invocation times out, for context.getRemainingTimeInMillis(). */
  readonly deadline: number;
  readonly context: ContextData;
}

/** Lambda's error object. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export interface ResultMessage {
  readonly type: 'result';
  readonly requestId: string;
  /** The handler's value as JSON, when it succeeded. */
  readonly payloadJson?: string;
  readonly error?: FunctionErrorPayload;
  /** The handler module failed to load: the instance is of no further use. */
  readonly initFailed?: boolean;
}

export function isResultMessage(message: unknown): message is ResultMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'result';
}
