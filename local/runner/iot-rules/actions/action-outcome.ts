import type { AccessControl, PolicyDocument } from '../../iam/types';
import type { LocalFunctionInvoker } from '../../lambda/types';
import type { InProcessS3 } from '../../s3';
import type { LocalQueues } from '../../sqs';
import type { SelectResult } from '../sql';

/** What actions reach and on whose behalf: shared by every rule of the engine. */
export interface ActionServices {
  readonly accountId: string;
  readonly queues: LocalQueues;
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  /** The queue's own policy, if the runner models queue policies. */
  readonly queuePolicy?: (queueArn: string) => PolicyDocument | undefined;
  /** The local S3 the S3 action writes to, with the KMS and IAM it checks against. */
  readonly s3?: InProcessS3;
}

/** The rule an action runs for: Lambda's permission conditions name it. */
export interface ActingRule {
  readonly name: string;
  readonly arn: string;
}

/** The names AWS gives actions in an error action's `failures[].failedAction`. */
export type FailedActionName = 'SqsAction' | 'LambdaAction' | 'S3Action';

export type ActionOutcome =
  | { readonly ok: true; readonly action: FailedActionName; readonly resource: string; readonly detail: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly action: FailedActionName; readonly resource: string; readonly errorMessage: string };

/** An action's input: the SELECT result, or the error payload for an error action. */
export type ActionInput = SelectResult;

/** The bytes an action delivers: JSON text, or the payload itself when it passed through as binary. */
export function inputBytes(input: ActionInput): Buffer {
  return input.kind === 'binary' ? input.payload : Buffer.from(JSON.stringify(input.value), 'utf8');
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
