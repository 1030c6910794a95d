import { randomBytes } from 'node:crypto';
import { ConcurrencyLimit } from './concurrency-limit';
import { FunctionInstance, InvocationOutcome } from './function-instance';
import { ContextData } from './worker-protocol';

/** What the pool needs to start one more instance of its function. */
export interface InstanceFactory {
  (logStreamName: string): FunctionInstance;
}

/** Lambda's log stream name for a new execution environment: `2024/01/31/[$LATEST]<32 hex digits>`. */
export function newLogStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export interface PooledInvocation {
  readonly requestId: string;
  readonly eventJson: string;
  readonly timeoutMs: number;
  /** The context fields except the log stream, which is the instance's. */
  readonly context: Omit<ContextData, 'logStreamName'>;
}

/**
 * One function's memory, from the heap sizes its instances report (each instance is a worker thread with its own V8
 * heap). For benchmarks that check a function's memory stays flat over a burst of invocations (no state piling up in
 * a warm instance), as Lambda's "Max Memory Used" in each invocation's REPORT line shows it on AWS. Heap only: what
 * an instance holds outside it (Buffers' memory) is not counted, and garbage not yet collected is.
 */
export interface FunctionMemoryUsage {
  /** The function's live instances (initializing, busy or idle). */
  readonly instances: number;
  /** The sum of the live instances' heap in use as each last reported it (after its init phase or latest invocation). */
  readonly heapUsedBytes: number;
  /** The largest heap in use any one instance of the function ever reported, instances that are gone included. */
  readonly peakInstanceHeapUsedBytes: number;
}

interface PooledInstance {
  readonly instance: FunctionInstance;
  readonly logStreamName: string;
}

/**
 * The execution environments of one function: a warm idle instance takes the next invocation
 * (keeping its module state); a new one starts only when all are busy and the concurrency limit
 * allows. Instances that timed out or crashed are dropped.
 */
export class InstancePool {
  private readonly idle: PooledInstance[] = [];
  private readonly all = new Set<PooledInstance>();
  private closed = false;
  /** The largest peak heap of the instances dropped so far. */
  private droppedPeakHeapUsedBytes = 0;

  constructor(private readonly limit: ConcurrencyLimit, private readonly startInstance: InstanceFactory) {}

  /** Instances started and still alive. */
  get size(): number {
    return this.all.size;
  }

  /** The heap sizes the instances reported: the live ones' latest, and the largest any instance ever reported. */
  memoryUsage(): FunctionMemoryUsage {
    let instances = 0;
    let heapUsedBytes = 0;
    let peakInstanceHeapUsedBytes = this.droppedPeakHeapUsedBytes;
    for (const { instance } of this.all) {
      peakInstanceHeapUsedBytes = Math.max(peakInstanceHeapUsedBytes, instance.peakHeapUsedBytes);
      if (instance.alive) {
        instances += 1;
        heapUsedBytes += instance.heapUsedBytes;
      }
    }
    return { instances, heapUsedBytes, peakInstanceHeapUsedBytes };
  }

  /** Throws LambdaServiceError TooManyRequestsException when the limit is reached. */
  async invoke(invocation: PooledInvocation): Promise<InvocationOutcome> {
    this.limit.acquire();
    let pooled: PooledInstance | undefined;
    try {
      pooled = this.takeIdle() ?? this.start();
      return await pooled.instance.invoke({ ...invocation, context: { ...invocation.context, logStreamName: pooled.logStreamName } });
    } finally {
      this.limit.release();
      if (pooled) {
        this.giveBack(pooled);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const instances = [...this.all];
    instances.forEach((pooled) => this.drop(pooled));
    this.idle.length = 0;
    await Promise.all(instances.map(({ instance }) => instance.terminate()));
  }

  /** The most recently used idle instance that is still alive (one may die while idle, e.g. a throw in a timer). */
  private takeIdle(): PooledInstance | undefined {
    let pooled = this.idle.pop();
    while (pooled && !pooled.instance.alive) {
      this.drop(pooled);
      pooled = this.idle.pop();
    }
    return pooled;
  }

  private start(): PooledInstance {
    const logStreamName = newLogStreamName();
    const pooled = { instance: this.startInstance(logStreamName), logStreamName };
    this.all.add(pooled);
    return pooled;
  }

  private giveBack(pooled: PooledInstance): void {
    if (pooled.instance.alive && !this.closed) {
      this.idle.push(pooled);
    } else {
      this.drop(pooled);
    }
  }

  /** Forgets an instance, keeping its peak heap for memoryUsage(). */
  private drop(pooled: PooledInstance): void {
    this.droppedPeakHeapUsedBytes = Math.max(this.droppedPeakHeapUsedBytes, pooled.instance.peakHeapUsedBytes);
    this.all.delete(pooled);
  }
}
