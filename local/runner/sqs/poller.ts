import type { SQSEvent } from 'aws-lambda';
import { readBatchResponse } from './batch-response';
import { Clock, isSteppable, systemClock } from './clock';
import { requireInteger } from './errors';
import { LocalQueue, Received } from './queue';
import { sqsEvent } from './sqs-event';

export interface EventSourceMappingOptions {
  readonly queue: LocalQueue;
  /** Records per invocation, 1..10. */
  readonly batchSize: number;
  /** How long to gather a batch smaller than batchSize before invoking anyway; 0..300000 ms, default 0. */
  readonly maximumBatchingWindowMs?: number;
  /** FunctionResponseTypes: ['ReportBatchItemFailures']. */
  readonly reportBatchItemFailures: boolean;
  /** Most invocations at once, 2..1000; default 5. */
  readonly maximumConcurrency?: number;
  /** The function; a rejection is a function error. */
  readonly invoke: (event: SQSEvent) => Promise<unknown>;
}

const DEFAULT_CONCURRENCY = 5;

/**
 * Lambda's SQS event source mapping: receives batches with the queue's visibility timeout,
 * invokes the function with at most maximumConcurrency batches in flight, and deletes what
 * the function reports as processed. What is not deleted comes back after the visibility
 * timeout, and the queue's redrive policy sends it to the dead-letter queue in the end.
 */
export class SqsEventSourcePoller {
  private readonly queue: LocalQueue;
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly maximumConcurrency: number;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private pumpQueued = false;
  private windowOpenedAt?: number;
  private cancelWake?: () => void;
  private unsubscribe?: () => void;
  private invocationCount = 0;
  private peak = 0;

  constructor(private readonly options: EventSourceMappingOptions, private readonly clock: Clock = systemClock) {
    this.queue = options.queue;
    this.batchSize = options.batchSize;
    requireInteger('BatchSize', this.batchSize, 1, 10);
    this.windowMs = options.maximumBatchingWindowMs ?? 0;
    requireInteger('MaximumBatchingWindowInSeconds (ms)', this.windowMs, 0, 300_000);
    this.maximumConcurrency = options.maximumConcurrency ?? DEFAULT_CONCURRENCY;
    requireInteger('MaximumConcurrency', this.maximumConcurrency, 2, 1000);
  }

  /** Invocations started so far. */
  get invocations(): number {
    return this.invocationCount;
  }

  /** Invocations running now (a test stepping a ManualClock waits for zero, so real work never sees virtual time jump under it). */
  get invocationsInFlight(): number {
    return this.inFlight.size;
  }

  /** The most invocations that were ever in flight at once. */
  get peakConcurrency(): number {
    return this.peak;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onAvailable(() => this.schedulePump());
    this.schedulePump();
  }

  /** Stops polling and waits for the invocations in flight (their results are still applied). */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.clearWake();
    this.windowOpenedAt = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * For tests: resolves when the queue holds no message (visible or in flight) and no invocation
   * runs; rejects after `timeoutMs` of clock time. On a steppable clock it moves time from timer
   * to timer whenever everything else has settled.
   */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    const realDeadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.isDrained()) return;
      if (this.clock.now() >= deadline || Date.now() >= realDeadline) {
        throw new Error(`queue ${this.queue.name} not drained after ${timeoutMs} ms: ${this.queue.approximateNumberOfMessages()} visible, `
          + `${this.queue.approximateNumberOfMessagesNotVisible()} in flight, ${this.inFlight.size} invocations running`);
      }
      const clock = this.clock;
      if (isSteppable(clock)) {
        if (!clock.advanceToNextTimer()) await new Promise<void>((resolve) => setTimeout(resolve, 1));
      } else {
        await new Promise<void>((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  private isDrained(): boolean {
    return this.inFlight.size === 0
      && this.queue.approximateNumberOfMessages() === 0
      && this.queue.approximateNumberOfMessagesNotVisible() === 0;
  }

  /** Coalesces wake-ups and keeps queue callbacks from re-entering the queue. */
  private schedulePump(): void {
    if (this.pumpQueued || !this.running) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.running) return;
    this.clearWake();
    while (this.inFlight.size < this.maximumConcurrency) {
      const visible = this.queue.approximateNumberOfMessages();
      if (visible === 0) {
        this.windowOpenedAt = undefined;
        break;
      }
      if (this.windowMs > 0 && visible < this.batchSize) {
        this.windowOpenedAt ??= this.clock.now();
        if (this.clock.now() - this.windowOpenedAt < this.windowMs) break;
      }
      this.windowOpenedAt = undefined;
      const batch = this.queue.receive(this.batchSize);
      // An empty receive means every candidate was redriven; look again.
      if (batch.length > 0) this.dispatch(batch);
    }
    this.scheduleWake();
  }

  private dispatch(batch: Received[]): void {
    const event = sqsEvent(this.queue.arn, batch);
    this.invocationCount += 1;
    const invocation: Promise<void> = Promise.resolve()
      .then(() => this.options.invoke(event))
      .then((response) => this.settle(batch, response), () => undefined /* function error: nothing is deleted */)
      .finally(() => {
        this.inFlight.delete(invocation);
        this.schedulePump();
      });
    this.inFlight.add(invocation);
    this.peak = Math.max(this.peak, this.inFlight.size);
  }

  private settle(batch: readonly Received[], response: unknown): void {
    let keep: ReadonlySet<string> = new Set();
    if (this.options.reportBatchItemFailures) {
      const verdict = readBatchResponse(response, batch.map((message) => message.messageId));
      if (verdict.kind === 'failure') return;
      if (verdict.kind === 'partial') keep = verdict.failed;
    }
    for (const message of batch) {
      if (!keep.has(message.messageId)) this.queue.delete(message.receiptHandle);
    }
  }

  /** Wakes up when a batching window closes or a hidden message becomes visible again. */
  private scheduleWake(): void {
    if (!this.running) return;
    const candidates: number[] = [];
    if (this.windowOpenedAt !== undefined) candidates.push(this.windowOpenedAt + this.windowMs);
    const nextVisible = this.queue.nextVisibleAt();
    if (nextVisible !== undefined) candidates.push(nextVisible);
    if (candidates.length === 0) return;
    const at = Math.min(...candidates);
    this.cancelWake = this.clock.setTimer(() => {
      this.cancelWake = undefined;
      this.pump();
    }, at - this.clock.now());
  }

  private clearWake(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
  }
}
