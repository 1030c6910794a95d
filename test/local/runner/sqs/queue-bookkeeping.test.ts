/**
 * The queue's counts and next-visible time come from the messages in flight rather than a scan of every
 * message, and retention from a lower bound of the oldest sent time: checked against a scan on a queue of
 * thousands with receives, deletes, visibility changes, redrive to a dead-letter queue and expiry.
 */
import { queueOptions } from './support';
import { LocalQueues, ManualClock } from '../../../../local/runner/sqs';

test('counts, next visible time and retention stay those a scan of every message gives', () => {
  const clock = new ManualClock(1_000_000);
  const queues = new LocalQueues(clock);
  const dlq = queues.create(queueOptions('dlq', { messageRetentionSeconds: 86_400 }));
  const source = queues.create(queueOptions('source', { visibilityTimeoutSeconds: 30, deadLetter: { targetArn: dlq.arn, maxReceiveCount: 2 } }));
  const inFlight = new Map<string, { handle: string; visibleAt: number }>();
  const sentAt = new Map<string, number>();
  let random = 42;
  const next = () => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

  for (let step = 0; step < 3000; step++) {
    const roll = next();
    if (roll < 0.4) {
      sentAt.set(source.send(`m${step}`).messageId, clock.now());
    } else if (roll < 0.7) {
      for (const message of source.receive(1 + Math.floor(next() * 10))) {
        inFlight.set(message.messageId, { handle: message.receiptHandle, visibleAt: clock.now() + 30_000 });
      }
    } else if (roll < 0.85 && inFlight.size > 0) {
      const [id, { handle }] = [...inFlight][Math.floor(next() * inFlight.size)];
      source.delete(handle);
      inFlight.delete(id);
      sentAt.delete(id);
    } else if (roll < 0.9 && inFlight.size > 0) {
      const [id, entry] = [...inFlight][Math.floor(next() * inFlight.size)];
      if (entry.visibleAt > clock.now()) {
        const seconds = Math.floor(next() * 3) * 20;
        source.changeVisibility(entry.handle, seconds);
        inFlight.set(id, { ...entry, visibleAt: clock.now() + seconds * 1000 });
      }
    } else {
      clock.advance(Math.floor(next() * 20_000));
    }
    const now = clock.now();
    // What a scan answers: the hidden messages are those received with time left; every message sent and not
    // deleted is in the queue or, redriven, in the dead-letter queue.
    const hidden = [...inFlight.values()].filter((entry) => entry.visibleAt > now);
    expect(source.approximateNumberOfMessagesNotVisible()).toBe(hidden.length);
    expect(source.approximateNumberOfMessages() + hidden.length + dlq.approximateNumberOfMessages()).toBe(sentAt.size);
    for (const [id, entry] of inFlight) if (entry.visibleAt <= now) inFlight.delete(id);
    const times = hidden.map((entry) => entry.visibleAt);
    expect(source.nextVisibleAt()).toBe(times.length === 0 ? undefined : Math.min(...times));
  }
  // Messages redriven to the dead-letter queue keep their sent time, out of arrival order; retention drops them by it.
  expect(dlq.approximateNumberOfMessages()).toBeGreaterThan(0);
  const first = Math.min(...sentAt.values());
  clock.advance(first + 86_400_000 - clock.now());
  expect(dlq.approximateNumberOfMessages()).toBeGreaterThan(0);
  clock.advance(86_400_000);
  expect(dlq.approximateNumberOfMessages()).toBe(0);
  expect(source.approximateNumberOfMessages() + source.approximateNumberOfMessagesNotVisible()).toBeGreaterThan(0);
  clock.advance(4 * 86_400_000);
  expect(source.approximateNumberOfMessages() + source.approximateNumberOfMessagesNotVisible()).toBe(0);
});
