import { LambdaServiceError } from './types';

/**
 * How many invocations may run at once: a function's reserved concurrency, or the account's
 * unreserved pool that every function without a reservation shares.
 */
export class ConcurrencyLimit {
  private running = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.running;
  }

  /** Takes a slot, or throws the throttle error Lambda answers with when none is free. */
  acquire(): void {
    if (this.running >= this.limit) {
      throw new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.', 429);
    }
    this.running += 1;
  }

  release(): void {
    this.running = Math.max(0, this.running - 1);
  }
}
