import type { Clock } from '../../local/runner/sqs';

/**
 * SQS time running `speedup` times faster than real time (visibility timeouts, batching windows, retention),
 * for the smoke test: a batch that failed comes back after 360 s of queue time, a few seconds of the test's.
 * The benchmark itself runs on real time.
 */
export class ScaledClock implements Clock {
  private readonly origin = Date.now();

  constructor(private readonly speedup: number) {
    if (!(speedup >= 1)) throw new Error(`speedup must be at least 1, got ${speedup}`);
  }

  now(): number {
    return this.origin + (Date.now() - this.origin) * this.speedup;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = setTimeout(callback, Math.max(0, delayMs) / this.speedup);
    return () => clearTimeout(timer);
  }
}
