/**
 * Recognises a custom resource served by the CDK Provider framework (`aws-cdk-lib/custom-resources`
 * `Provider`, checked against aws-cdk-lib 2.257's runtime): its ServiceToken is the framework's
 * onEvent function, whose environment names the user's functions. The runner does what that
 * function would, minus its answer to CloudFormation (a PUT to a presigned S3 URL).
 */
import type { LocalFunctionDefinition, LocalFunctionInvoker } from '../lambda/types';
import type { ResolvedResource } from '../types';

/** The framework onEvent function's environment variables (runtime/consts.js). */
export const USER_ON_EVENT_FUNCTION_ARN = 'USER_ON_EVENT_FUNCTION_ARN';
export const USER_IS_COMPLETE_FUNCTION_ARN = 'USER_IS_COMPLETE_FUNCTION_ARN';
export const WAITER_STATE_MACHINE_ARN = 'WAITER_STATE_MACHINE_ARN';

/**
 * The waiter's defaults (ProviderProps queryInterval 5 s, totalTimeout 30 min): its isComplete task
 * retries every IntervalSeconds, MaxAttempts times, then the framework answers "Operation timed out".
 */
const DEFAULT_WAITER = { intervalSeconds: 5, maxAttempts: 360, backoffRate: 1 } as const;

export interface WaiterSchedule {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
}

export interface ProviderFramework {
  /** The framework's onEvent function: the ServiceToken's function, which the runner stands in for (never invoked). */
  readonly frameworkFunction: LocalFunctionDefinition;
  /** The user's onEvent function (ProviderProps.onEventHandler). */
  readonly onEventFunctionArn: string;
  /** The user's isComplete function (ProviderProps.isCompleteHandler), when there is one. */
  readonly isCompleteFunctionArn?: string;
  /** How the framework's waiter state machine polls isComplete. */
  readonly waiter: WaiterSchedule;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The waiter's retry schedule, read from its state machine definition (the Task state's first Retry). */
export function waiterSchedule(stateMachine: ResolvedResource | undefined): WaiterSchedule {
  const raw = stateMachine?.properties.DefinitionString ?? stateMachine?.properties.Definition;
  let definition: unknown;
  try {
    definition = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    return DEFAULT_WAITER;
  }
  const states = isRecord(definition) && isRecord(definition.States) ? Object.values(definition.States) : [];
  for (const state of states) {
    const retry = isRecord(state) && Array.isArray(state.Retry) ? state.Retry[0] : undefined;
    if (isRecord(retry)) {
      return {
        intervalSeconds: Number(retry.IntervalSeconds ?? DEFAULT_WAITER.intervalSeconds),
        maxAttempts: Number(retry.MaxAttempts ?? DEFAULT_WAITER.maxAttempts),
        backoffRate: Number(retry.BackoffRate ?? DEFAULT_WAITER.backoffRate),
      };
    }
  }
  return DEFAULT_WAITER;
}

/** What serves a custom resource: the Provider framework, or a sentence saying why the runner does not run it. */
export type ServiceTokenTarget = { readonly provider: ProviderFramework } | { readonly notRun: string };

/**
 * Looks the ServiceToken up among the stacks' functions. `resources`: the stacks' resolved
 * resources, where the waiter state machine is found by its Ref.
 */
export function providerFrameworkOf(
  serviceToken: string,
  functions: LocalFunctionInvoker,
  resources: readonly ResolvedResource[],
): ServiceTokenTarget {
  if (/^arn:[^:]+:sns:/.test(serviceToken)) {
    return { notRun: 'its ServiceToken is an SNS topic; only Lambda-backed custom resources of the CDK Provider framework run locally' };
  }
  const frameworkFunction = functions.find(serviceToken);
  if (!frameworkFunction) {
    return { notRun: `its ServiceToken ${serviceToken} is no function of the stacks` };
  }
  const onEventFunctionArn = frameworkFunction.environment[USER_ON_EVENT_FUNCTION_ARN];
  if (!onEventFunctionArn) {
    return {
      notRun: `its ServiceToken ${frameworkFunction.functionName} is not the CDK Provider framework's onEvent function: such a function `
        + 'answers CloudFormation itself with a PUT to the presigned S3 ResponseURL, which nothing serves locally',
    };
  }
  const isCompleteFunctionArn = frameworkFunction.environment[USER_IS_COMPLETE_FUNCTION_ARN];
  const waiterRef = frameworkFunction.environment[WAITER_STATE_MACHINE_ARN];
  const stateMachine = waiterRef === undefined ? undefined : resources.find((resource) => resource.physicalId === waiterRef);
  return {
    provider: {
      frameworkFunction,
      onEventFunctionArn,
      ...(isCompleteFunctionArn ? { isCompleteFunctionArn } : {}),
      waiter: waiterSchedule(stateMachine),
    },
  };
}
