import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

/**
 * How our handlers retry AWS IoT control-plane calls.
 *
 * The control plane allows about 10 calls a second per operation and account, so a burst of devices
 * meets ThrottlingException all the time. The SDK's standard strategy backs off from a throttle as it
 * would from an overloaded service: up to 20 s (its 2026 defaults start at 1 s and double), so an
 * activator instance that drew a few throttles in a row sat idle for seconds while the account's
 * token bucket refilled ten times a second; in the 2,000-device benchmark both instances idled like
 * that at once. A throttle here only means "not this tenth of a second": throttled calls are retried
 * after a short jittered wait (100 ms doubling, capped at 2 s). That cannot turn into a retry storm:
 * each handler instance makes one call at a time, so the calls in flight are bounded by the function's
 * concurrency whatever the back-off.
 *
 * Throttling is not a failure, so a throttled call gets more attempts than a failing one
 * (`maxThrottledAttempts`): with two instances sharing a 10 TPS bucket, one of them can lose the race
 * for a token ten times in a row, and in the benchmark a call that gave up after ten attempts left its
 * device waiting six minutes (the queue's visibility timeout) for the next try.
 *
 * Transient errors (5xx, timeouts, connection resets) are retried as the SDK does (100 ms doubling up
 * to 20 s, `maxAttempts` in all) and draw on a retry budget (as the SDK's retry quota), so an outage
 * is not hammered.
 * Anything else is not retried. Every wait is full jitter (a random share of the ceiling), and a
 * Retry-After hint, when the service sends one, is honoured.
 */
export interface ControlPlaneRetryOptions {
  /** Attempts per call, the first included, when it fails for other reasons than throttling. */
  readonly maxAttempts: number;
  /** Attempts per call, the first included, while it is only throttled. @default max(maxAttempts, 25) */
  readonly maxThrottledAttempts?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now (for Retry-After hints) */
  readonly now?: () => number;
}

export const THROTTLING_BASE_DELAY_MS = 100;
export const THROTTLING_MAX_DELAY_MS = 2_000;
export const TRANSIENT_BASE_DELAY_MS = 100;
export const TRANSIENT_MAX_DELAY_MS = 20_000;
/** The budget for transient retries: each costs TRANSIENT_RETRY_COST, each success gives one back (as the SDK's quota). */
export const TRANSIENT_RETRY_BUDGET = 500;
export const TRANSIENT_RETRY_COST = 10;
export const DEFAULT_MAX_THROTTLED_ATTEMPTS = 25;

class RetryToken implements StandardRetryToken {
  constructor(private readonly retryCount: number, private readonly delayMs: number, private readonly cost: number) {}

  getRetryCount(): number {
    return this.retryCount;
  }

  /** The SDK's retry middleware waits this long before the next attempt. */
  getRetryDelay(): number {
    return this.delayMs;
  }

  /** What this retry took from the transient budget (0 for a first attempt or a throttled retry). */
  getRetryCost(): number {
    return this.cost;
  }
}

export class ControlPlaneRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  private budget = TRANSIENT_RETRY_BUDGET;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly maxThrottledAttempts: number;

  constructor(private readonly options: ControlPlaneRetryOptions) {
    this.maxThrottledAttempts = options.maxThrottledAttempts ?? Math.max(options.maxAttempts, DEFAULT_MAX_THROTTLED_ATTEMPTS);
    for (const [name, value] of [['maxAttempts', options.maxAttempts], ['maxThrottledAttempts', this.maxThrottledAttempts]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
    }
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Every call starts with all its attempts; the scope (a partition) does not matter here. */
  async acquireInitialRetryToken(_retryTokenScope?: string): Promise<StandardRetryToken> {
    return new RetryToken(0, 0, 0);
  }

  async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    const retries = token.getRetryCount();
    const limit = errorInfo.errorType === 'THROTTLING' ? this.maxThrottledAttempts : this.options.maxAttempts;
    if (retries + 1 >= limit) throw new Error('no retry: the attempts are used up');
    let delay: number;
    let cost = 0;
    if (errorInfo.errorType === 'THROTTLING') {
      delay = this.jittered(THROTTLING_BASE_DELAY_MS, THROTTLING_MAX_DELAY_MS, retries);
    } else if (errorInfo.errorType === 'TRANSIENT') {
      if (this.budget < TRANSIENT_RETRY_COST) throw new Error('no retry: the transient retry budget is used up');
      cost = TRANSIENT_RETRY_COST;
      this.budget -= cost;
      delay = this.jittered(TRANSIENT_BASE_DELAY_MS, TRANSIENT_MAX_DELAY_MS, retries);
    } else {
      throw new Error(`no retry: a ${errorInfo.errorType} error`);
    }
    const hint = errorInfo.retryAfterHint;
    if (hint instanceof Date) delay = Math.max(delay, Math.min(hint.getTime() - this.now(), TRANSIENT_MAX_DELAY_MS));
    return new RetryToken(retries + 1, delay, cost);
  }

  recordSuccess(token: StandardRetryToken): void {
    const refund = token.getRetryCost?.() || 1;
    this.budget = Math.min(TRANSIENT_RETRY_BUDGET, this.budget + refund);
  }

  /** Full jitter: a random share of min(cap, base * 2^retries). */
  private jittered(baseMs: number, capMs: number, retries: number): number {
    return Math.floor(this.random() * Math.min(capMs, baseMs * 2 ** retries));
  }
}
