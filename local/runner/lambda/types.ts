/**
 * The contract between the local Lambda service and its callers (API Gateway proxy integrations,
 * authorizers, topic rules, SQS event-source mappings, the Lambda Invoke API).
 */
import type { LocalCredentials, PolicyDocument } from '../iam/types';

/** A function as the template defines it, every intrinsic resolved. */
export interface LocalFunctionDefinition {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** Directory holding the handler's module (an asset directory, or one the runner wrote inline code to). */
  readonly codeDirectory: string;
  /** e.g. `index.handler`. */
  readonly handler: string;
  /** e.g. `nodejs24.x`; only nodejs runtimes run locally. */
  readonly runtime: string;
  /** The template's Environment.Variables, resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 3 (Lambda's default) */
  readonly timeoutSeconds?: number;
  /** @default 128 */
  readonly memorySizeMb?: number;
  /** ReservedConcurrentExecutions; undefined means unreserved. */
  readonly reservedConcurrency?: number;
  /** The execution role and the credentials the function runs with (AWS_ACCESS_KEY_ID, ...). */
  readonly role: { readonly arn: string; readonly credentials: LocalCredentials };
  /** The function's resource policy, from its AWS::Lambda::Permission resources. */
  readonly resourcePolicy?: PolicyDocument;
}

/** What a synchronous invocation returned, as Lambda reports it. */
export interface InvokeResult {
  /** The handler's resolved value (JSON round-tripped), or Lambda's error object when it failed. */
  readonly payload: unknown;
  /** `Unhandled` when the handler threw, timed out or crashed; absent on success. */
  readonly functionError?: 'Unhandled';
  /** For failures: e.g. { errorType: 'Error', errorMessage: '...' } or errorType 'Sandbox.Timedout'. */
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
  /** Lines the function wrote (console / stdout / stderr) during this invocation; the local Lambda service ends them with Lambda's REPORT line. */
  readonly logs: readonly string[];
}

/** Thrown when an invocation cannot start: unknown function, or reserved concurrency exhausted. */
export class LambdaServiceError extends Error {
  constructor(
    /** ResourceNotFoundException, TooManyRequestsException, ... */
    readonly code: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'LambdaServiceError';
  }
}

export interface LocalFunctionInvoker {
  /** Finds a function by name, ARN or partial ARN, like Lambda's FunctionName parameter. */
  find(functionNameOrArn: string): LocalFunctionDefinition | undefined;
  /** Invokes a function synchronously (RequestResponse). Rejects with LambdaServiceError only when the call cannot start. */
  invoke(functionNameOrArn: string, event: unknown): Promise<InvokeResult>;
}
