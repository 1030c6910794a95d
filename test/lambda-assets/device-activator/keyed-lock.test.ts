import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from '../../../lambda-assets/device-activator/keyed-lock';

describe('KeyedLock', () => {
  test('one key: critical sections run one at a time, in call order, and the answers come back to each caller', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const section = (id: string, ms: number) => lock.run('thing-1', async () => {
      events.push(`in ${id}`);
      await sleep(ms);
      events.push(`out ${id}`);
      return id.toUpperCase();
    });

    const answers = await Promise.all([section('a', 30), section('b', 1), section('c', 10)]);

    expect(answers).toEqual(['A', 'B', 'C']);
    expect(events).toEqual(['in a', 'out a', 'in b', 'out b', 'in c', 'out c']);
    expect(lock.size).toBe(0);
  });

  test('different keys do not wait for each other', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const slow = lock.run('thing-1', async () => { events.push('in 1'); await sleep(30); events.push('out 1'); });
    const fast = lock.run('thing-2', async () => { events.push('in 2'); await sleep(1); events.push('out 2'); });

    expect(lock.size).toBe(2);
    await Promise.all([slow, fast]);

    expect(events).toEqual(['in 1', 'in 2', 'out 2', 'out 1']);
    expect(lock.size).toBe(0);
  });

  test('a failing holder passes its error to its caller and still lets the next one in', async () => {
    const lock = new KeyedLock();
    const failing = lock.run('thing-1', async () => { throw new Error('throttled'); });
    const next = lock.run('thing-1', async () => 'next ran');

    await expect(failing).rejects.toThrow('throttled');
    await expect(next).resolves.toBe('next ran');
    expect(lock.size).toBe(0);
  });
});
