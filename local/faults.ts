/**
 * Test-only fault switches of the local cloud, for resilience tests and the onboarding benchmark
 * (bench/onboarding). Every one is off unless set; nothing in `npm run local` or the CLI turns them on.
 * They make the local cloud misbehave the ways AWS can: a control-plane call answered 500 (before or
 * after it took effect), an event delivered twice, a Lambda execution environment that dies mid-invocation.
 */

/** Faults of the AWS IoT part (control plane and MQTT gateway). */
export interface LocalCloudFaults {
  /**
   * Share (0 to 1) of control-plane requests answered `500 InternalFailureException`. Half of them fail
   * before the operation runs, half after it took effect (the caller cannot tell which, as with AWS).
   * @default 0
   */
  readonly controlPlaneInternalFailureRate?: number;
  /** Publish every just-in-time registration event twice. @default false */
  readonly duplicateRegistrationEvents?: boolean;
  /** Where the random draws come from, numbers in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Faults of the stack runner's Lambda functions. */
export interface LocalFunctionFaults {
  /**
   * Chance (0 to 1) that an outbound HTTP call of a function (an AWS SDK call: IoT, Lambda, S3...) kills its
   * execution environment, half the time before the request leaves and half once its response arrived (the
   * call took effect, the function never learns it). The invocation ends as Lambda reports a crash
   * (`Runtime.ExitError`) and the next one starts a new instance.
   */
  readonly crashProbabilityPerCall: number;
  /** When the crash comes: before the request leaves, once its response arrived, or either (half each). @default 'either' */
  readonly crashTiming?: 'beforeRequest' | 'afterResponse' | 'either';
  /** Which functions crash, by name or logical id. @default every function */
  readonly appliesTo?: (functionName: string, logicalId: string) => boolean;
}

/** The exit code of an instance killed by {@link LocalFunctionFaults} (so its crash is told apart from others). */
export const INJECTED_CRASH_EXIT_CODE = 86;

/** Checks a rate or probability option: a number from 0 to 1. */
export function requireShare(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new Error(`${name} must be a number from 0 to 1, got ${String(value)}`);
  return value;
}
