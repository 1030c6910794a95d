import { setTimeout as sleep } from 'node:timers/promises';
import { BackoffPolicy, backoffDelayMs } from './backoff';
import { describeError } from './describe-error';

/** How `retryWithBackoff` paces and reports its attempts. */
export interface RetryOptions extends BackoffPolicy {
  readonly maxAttempts: number;
  /** Receives one line per attempt. */
  readonly log: (line: string) => void;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default setTimeout from node:timers/promises */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** Thrown when every attempt failed; carries the last failure. */
export class RetriesExhaustedError extends Error {
  constructor(readonly attempts: number, readonly lastError: unknown) {
    super(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}; last error: ${describeError(lastError)}`);
    this.name = 'RetriesExhaustedError';
  }
}

/** The value of the first successful attempt and how many attempts it took. */
export interface RetryResult<T> {
  readonly value: T;
  readonly attempts: number;
}

/**
 * Calls `attempt` until it resolves, waiting `backoffDelayMs` between failures,
 * and logs one line per attempt: its number, what happened, the next delay.
 */
export async function retryWithBackoff<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<RetryResult<T>> {
  const wait = options.sleep ?? sleep;
  let lastError: unknown;
  for (let n = 1; n <= options.maxAttempts; n++) {
    const prefix = `attempt ${n}/${options.maxAttempts}:`;
    try {
      const value = await attempt(n);
      options.log(`${prefix} connected`);
      return { value, attempts: n };
    } catch (err) {
      lastError = err;
      if (n === options.maxAttempts) {
        options.log(`${prefix} failed: ${describeError(err)}; no attempts left`);
        break;
      }
      const delay = backoffDelayMs(n, options, options.random);
      options.log(`${prefix} failed: ${describeError(err)}; next attempt in ${delay} ms`);
      await wait(delay);
    }
  }
  throw new RetriesExhaustedError(options.maxAttempts, lastError);
}
