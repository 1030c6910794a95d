/**
 * ReceiveMessage's long polling: when nothing is available, wait up to WaitTimeSeconds for a message
 * to be sent (or redriven, or made visible by ChangeMessageVisibility 0) — the queue's onAvailable —
 * or for a hidden message's visibility timeout to run out, and answer as soon as one can be received.
 */
import type { Clock } from './clock';
import type { LocalQueue, Received } from './queue';

export function receiveWithWait(
  queue: LocalQueue,
  take: () => Received[],
  waitSeconds: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<Received[]> {
  const first = take();
  if (first.length > 0 || waitSeconds === 0 || signal.aborted) return Promise.resolve(first);
  const deadline = clock.now() + waitSeconds * 1000;
  return new Promise((resolve, reject) => {
    let done = false;
    let cancelTimer = (): void => undefined;
    let unsubscribe = (): void => undefined;
    const finish = (outcome: () => void): void => {
      if (done) return;
      done = true;
      cancelTimer();
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const attempt = (): void => {
      if (done) return;
      try {
        const messages = take();
        if (messages.length > 0 || clock.now() >= deadline) finish(() => resolve(messages));
        else schedule();
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const schedule = (): void => {
      cancelTimer();
      const next = queue.nextVisibleAt();
      const at = next === undefined ? deadline : Math.min(next, deadline);
      cancelTimer = clock.setTimer(attempt, at - clock.now());
    };
    // A client that hangs up, or the server closing, ends the wait with nothing received.
    const onAbort = (): void => finish(() => resolve([]));
    signal.addEventListener('abort', onAbort);
    // onAvailable fires inside send(): wait for the sender's synchronous work (a whole batch) to finish first.
    unsubscribe = queue.onAvailable(() => queueMicrotask(attempt));
    schedule();
  });
}
