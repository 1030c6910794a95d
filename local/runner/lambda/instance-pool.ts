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

  constructor(private readonly limit: ConcurrencyLimit, private readonly startInstance: InstanceFactory) {}

  /** Instances started and still alive. */
  get size(): number {
    return this.all.size;
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
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(instances.map(({ instance }) => instance.terminate()));
  }

  /** The most recently used idle instance that is still alive (one may die while idle, e.g. a throw in a timer). */
  private takeIdle(): PooledInstance | undefined {
    let pooled = this.idle.pop();
    while (pooled && !pooled.instance.alive) {
      this.all.delete(pooled);
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
      this.all.delete(pooled);
    }
  }
}
