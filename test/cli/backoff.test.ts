import { backoffDelayMs } from '../../cli/src/device/backoff';
import { retryWithBackoff, RetriesExhaustedError } from '../../cli/src/device/retry';

const policy = { baseDelayMs: 500, maxDelayMs: 30_000 };

describe('backoffDelayMs', () => {
  test('doubles the ceiling each attempt and draws from its upper half', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 0.999999))).toEqual([500, 1000, 2000, 4000]);
  });

  test('never exceeds the cap', () => {
    expect(backoffDelayMs(30, policy, () => 0.999999)).toBe(30_000);
    expect(backoffDelayMs(30, policy, () => 0)).toBe(15_000);
  });

  test('jitters: a fleet does not retry in step', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, policy)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('retryWithBackoff', () => {
  const options = (log: string[], slept: number[]) => ({
    ...policy, maxAttempts: 4, random: () => 0, log: (line: string) => log.push(line), sleep: async (ms: number) => slept.push(ms),
  });

  test('returns the first success and logs one line per attempt', async () => {
    const log: string[] = [];
    const slept: number[] = [];
    const result = await retryWithBackoff(async (n) => {
      if (n < 3) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return 'session';
    }, options(log, slept));

    expect(result).toEqual({ value: 'session', attempts: 3 });
    expect(slept).toEqual([250, 500]);
    expect(log).toEqual([
      'attempt 1/4: failed: socket hang up (ECONNRESET); next attempt in 250 ms',
      'attempt 2/4: failed: socket hang up (ECONNRESET); next attempt in 500 ms',
      'attempt 3/4: connected',
    ]);
  });

  test('gives up after maxAttempts without sleeping after the last one', async () => {
    const log: string[] = [];
    const slept: number[] = [];
    const failing = retryWithBackoff(() => Promise.reject('Failed to connect: refused'), options(log, slept));

    await expect(failing).rejects.toThrow(RetriesExhaustedError);
    await expect(failing).rejects.toThrow('gave up after 4 attempts; last error: Failed to connect: refused');
    expect(slept).toEqual([250, 500, 1000]);
    expect(log[3]).toBe('attempt 4/4: failed: Failed to connect: refused; no attempts left');
  });
});
