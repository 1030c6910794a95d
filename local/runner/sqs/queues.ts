import { Clock, systemClock } from './clock';
import { SqsError } from './errors';
import { LocalQueue, QueueOptions } from './queue';

/** The queues of one local account, found by ARN, URL or name; redrive targets resolve through it. */
export class LocalQueues {
  private readonly queues: LocalQueue[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  /** Creates a queue; its dead-letter queue may be created before or after it. */
  create(options: QueueOptions): LocalQueue {
    const clash = this.queues.find((queue) => queue.name === options.name || queue.arn === options.arn || queue.url === options.url);
    if (clash) throw new SqsError('QueueAlreadyExists', `a queue named ${clash.name} already has this name, ARN or URL`);
    const queue = new LocalQueue(options, this.clock, (arn) => this.byArn(arn));
    this.queues.push(queue);
    return queue;
  }

  byArn(arn: string): LocalQueue | undefined {
    return this.queues.find((queue) => queue.arn === arn);
  }

  byUrl(url: string): LocalQueue | undefined {
    return this.queues.find((queue) => queue.url === url);
  }

  byName(name: string): LocalQueue | undefined {
    return this.queues.find((queue) => queue.name === name);
  }

  list(): readonly LocalQueue[] {
    return [...this.queues];
  }
}
