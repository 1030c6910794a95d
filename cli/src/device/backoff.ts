/**
 * The back-off policy of the demo devices: exponential growth with "equal jitter".
 *
 * The ceiling doubles with every attempt (base, 2 x base, 4 x base, ... up to `maxDelayMs`)
 * and the delay is drawn uniformly from the upper half of it. The random half spreads a fleet
 * that lost its connection at the same moment; the fixed half keeps one device from hammering
 * the endpoint (AWS IoT throttles CONNECT to one a second per client id).
 */
export interface BackoffPolicy {
  /** Ceiling of the first delay, in milliseconds. */
  readonly baseDelayMs: number;
  /** No delay exceeds this, in milliseconds. */
  readonly maxDelayMs: number;
}

/** Default cap: long enough for an activator that is working through a queue. */
export const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * The delay to wait after the failed attempt number `attempt` (1-based).
 * @param random a source of numbers in [0, 1); tests pass a fixed one
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
