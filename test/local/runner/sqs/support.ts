import { LocalQueues, ManualClock, QueueOptions } from '../../../../local/runner/sqs';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';

export function queueOptions(name: string, extra: Partial<QueueOptions> = {}): QueueOptions {
  return {
    name,
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
    url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`,
    ...extra,
  };
}

/** A source queue with a dead-letter queue, on a manual clock. */
export function withDeadLetter(maxReceiveCount: number, visibilityTimeoutSeconds = 30) {
  const clock = new ManualClock(1_700_000_000_000);
  const queues = new LocalQueues(clock);
  const dlq = queues.create(queueOptions('work-dlq'));
  const queue = queues.create(queueOptions('work', {
    visibilityTimeoutSeconds,
    deadLetter: { targetArn: dlq.arn, maxReceiveCount },
  }));
  return { clock, queues, queue, dlq };
}
