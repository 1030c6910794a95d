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
  /** Written to stdout and stderr, followed by the phase tag (`init` or the request id), when a phase ends. */
  readonly endMarker: string;
  /** Test-only fault switch (local/faults.ts): the chance that an outbound HTTP call kills the instance, and its exit code. */
  readonly crashes?: { readonly probabilityPerCall: number; readonly exitCode: number; readonly timing: 'beforeRequest' | 'afterResponse' | 'either' };
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

/** What every answer of the worker carries about its memory. */
export interface HeapReport {
  /**
   * The worker's V8 heap in use when it answered (`v8.getHeapStatistics().used_heap_size`): its own isolate's, not the
   * host process's, garbage not yet collected included.
   */
  readonly heapUsedBytes: number;
}

/** The init phase ended: the handler is loaded, or `error` says why not (the instance is then of no use). */
export interface InitializedMessage extends HeapReport {
  readonly type: 'initialized';
  readonly error?: FunctionErrorPayload;
}

/** An invocation ended. */
export interface ResultMessage extends HeapReport {
  readonly type: 'result';
  readonly requestId: string;
  /** The handler's value as JSON, when it succeeded. */
  readonly payloadJson?: string;
  readonly error?: FunctionErrorPayload;
}

export type WorkerMessage = InitializedMessage | ResultMessage;

/** The tag of the end markers and of the message that close the init phase. */
export const INIT_PHASE = 'init';

/** Which phase a worker message closes: `init`, or the request id of an invocation. */
export function phaseOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) {
    return undefined;
  }
  const { type, requestId } = message as { type?: unknown; requestId?: unknown };
  if (type === 'initialized') {
    return INIT_PHASE;
  }
  return type === 'result' && typeof requestId === 'string' ? requestId : undefined;
}

/** The heap size a worker message reports, if it is a message that reports one. */
export function heapUsedOf(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null) {
    return undefined;
  }
  const { heapUsedBytes } = message as { heapUsedBytes?: unknown };
  return typeof heapUsedBytes === 'number' && Number.isFinite(heapUsedBytes) ? heapUsedBytes : undefined;
}
