import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeCertificateCommand, IoTClient } from '@aws-sdk/client-iot';
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';
import {
  ControlPlaneRetryStrategy,
  THROTTLING_MAX_DELAY_MS,
  TRANSIENT_RETRY_BUDGET,
  TRANSIENT_RETRY_COST,
} from '../../../../lambda-assets/shared/iot/control-plane-retry';

const throttled: RetryErrorInfo = { errorType: 'THROTTLING' };
const transient: RetryErrorInfo = { errorType: 'TRANSIENT' };

/** The waits a strategy asks for, retry after retry, until it refuses. */
async function delaysUntilRefused(strategy: ControlPlaneRetryStrategy, error: RetryErrorInfo): Promise<number[]> {
  const delays: number[] = [];
  let token = (await strategy.acquireInitialRetryToken('')) as StandardRetryToken;
  for (;;) {
    try {
      token = (await strategy.refreshRetryTokenForRetry(token, error)) as StandardRetryToken;
    } catch {
      return delays;
    }
    delays.push(token.getRetryDelay());
  }
}

describe('ControlPlaneRetryStrategy', () => {
  test('throttled calls: 100 ms doubling, capped at 2 s, until the throttled attempts are used up', async () => {
    const almostOne = 0.999999;
    const strategy = new ControlPlaneRetryStrategy({ maxAttempts: 3, maxThrottledAttempts: 10, random: () => almostOne });
    const delays = await delaysUntilRefused(strategy, throttled);
    expect(delays).toEqual([99, 199, 399, 799, 1599, 1999, 1999, 1999, 1999]);
    expect(Math.max(...delays)).toBeLessThan(THROTTLING_MAX_DELAY_MS);
  });

  test('a throttled call gets 25 attempts by default, a failing one maxAttempts', async () => {
    const strategy = new ControlPlaneRetryStrategy({ maxAttempts: 10, random: () => 0 });
    expect(await delaysUntilRefused(strategy, throttled)).toHaveLength(24);
    expect(await delaysUntilRefused(strategy, transient)).toHaveLength(9);
    expect(await delaysUntilRefused(new ControlPlaneRetryStrategy({ maxAttempts: 40, random: () => 0 }), throttled)).toHaveLength(39);
  });

  test('waits are full jitter: a random share of the ceiling', async () => {
    const strategy = new ControlPlaneRetryStrategy({ maxAttempts: 4, maxThrottledAttempts: 4, random: () => 0.5 });
    expect(await delaysUntilRefused(strategy, throttled)).toEqual([50, 100, 200]);
  });

  test('throttling never exhausts a budget: every call gets all its attempts', async () => {
    const strategy = new ControlPlaneRetryStrategy({ maxAttempts: 5, maxThrottledAttempts: 5, random: () => 0 });
    for (let call = 0; call < 200; call++) {
      expect(await delaysUntilRefused(strategy, throttled)).toHaveLength(4);
    }
  });

  test('transient errors back off up to 20 s and draw on a budget that successes refill', async () => {
    const strategy = new ControlPlaneRetryStrategy({ maxAttempts: 1000, random: () => 0.999999 });
    const delays = await delaysUntilRefused(strategy, transient);
    expect(delays).toHaveLength(TRANSIENT_RETRY_BUDGET / TRANSIENT_RETRY_COST);
    expect(delays.slice(0, 3)).toEqual([99, 199, 399]);
    expect(Math.max(...delays)).toBe(19999);
    // Used up: a new call gets no transient retry, but throttles are still retried.
    expect(await delaysUntilRefused(strategy, transient)).toEqual([]);
    expect((await delaysUntilRefused(strategy, throttled)).length).toBeGreaterThan(0);
    // Each success gives one back: ten successes pay for one more transient retry.
    for (let success = 0; success < TRANSIENT_RETRY_COST; success++) {
      strategy.recordSuccess((await strategy.acquireInitialRetryToken('')) as StandardRetryToken);
    }
    expect(await delaysUntilRefused(strategy, transient)).toHaveLength(1);
  });

  test('client errors are not retried', async () => {
    const strategy = new ControlPlaneRetryStrategy({ maxAttempts: 10 });
    expect(await delaysUntilRefused(strategy, { errorType: 'CLIENT_ERROR' })).toEqual([]);
    expect(await delaysUntilRefused(strategy, { errorType: 'SERVER_ERROR' })).toEqual([]);
  });

  test('a Retry-After hint lengthens the wait, up to 20 s', async () => {
    const now = 1_000_000;
    const strategy = new ControlPlaneRetryStrategy({ maxAttempts: 3, random: () => 0, now: () => now });
    const token = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(''), { errorType: 'THROTTLING', retryAfterHint: new Date(now + 3000) });
    expect(token.getRetryDelay()).toBe(3000);
    const capped = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(''), { errorType: 'THROTTLING', retryAfterHint: new Date(now + 3_600_000) });
    expect(capped.getRetryDelay()).toBe(20_000);
  });

  test('maxAttempts must be a positive integer', () => {
    expect(() => new ControlPlaneRetryStrategy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => new ControlPlaneRetryStrategy({ maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => new ControlPlaneRetryStrategy({ maxAttempts: 3, maxThrottledAttempts: 0 })).toThrow(/maxThrottledAttempts/);
  });
});

describe('ControlPlaneRetryStrategy in the SDK', () => {
  let server: Server;
  let answers: number[];
  let requests = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        requests += 1;
        const status = answers.shift() ?? 200;
        if (status === 200) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ certificateDescription: { certificateId: 'a'.repeat(64), status: 'ACTIVE' } }));
          return;
        }
        const type = status === 429 ? 'ThrottlingException' : status === 500 ? 'InternalFailureException' : 'InvalidRequestException';
        response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
        response.end(JSON.stringify({ message: type }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => { requests = 0; });

  function client(maxAttempts: number, maxThrottledAttempts = maxAttempts): IoTClient {
    return new IoTClient({
      region: 'eu-central-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts,
      retryStrategy: new ControlPlaneRetryStrategy({ maxAttempts, maxThrottledAttempts }),
    });
  }

  test('five throttles in a row: the call succeeds on the sixth attempt, after at most 100+200+400+800+1600 ms of waiting', async () => {
    answers = [429, 429, 429, 429, 429];
    const answer = await client(10).send(new DescribeCertificateCommand({ certificateId: 'a'.repeat(64) }));
    expect(answer.certificateDescription?.status).toBe('ACTIVE');
    expect(answer.$metadata.attempts).toBe(6);
    expect(answer.$metadata.totalRetryDelay).toBeLessThanOrEqual(3100);
    expect(requests).toBe(6);
  });

  test('throttled past the attempts: the ThrottlingException reaches the caller', async () => {
    answers = [429, 429, 429];
    await expect(client(3).send(new DescribeCertificateCommand({ certificateId: 'a'.repeat(64) }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(requests).toBe(3);
    answers = [];
  });

  test('a 500 is retried, a 400 is not', async () => {
    answers = [500];
    expect((await client(3).send(new DescribeCertificateCommand({ certificateId: 'a'.repeat(64) }))).$metadata.attempts).toBe(2);
    requests = 0;
    answers = [400];
    await expect(client(3).send(new DescribeCertificateCommand({ certificateId: 'a'.repeat(64) }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect(requests).toBe(1);
  });
});
