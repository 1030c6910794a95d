import { setTimeout as sleep } from 'node:timers/promises';
import { runInLanes } from '../../../lambda-assets/device-activator/batch-lanes';

interface Item { readonly lane: string; readonly id: string; readonly ms: number }

/** Runs the items, recording each start and end and the most items running at once. */
async function trace(items: Item[], parallel: number) {
  const events: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  await runInLanes(items, (item) => item.lane, parallel, async (item) => {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    events.push(`start ${item.id}`);
    await sleep(item.ms);
    events.push(`end ${item.id}`);
    running--;
  });
  return { events, mostAtOnce };
}

describe('runInLanes', () => {
  test('different lanes overlap, up to the limit; every item runs once', async () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({ lane: id, id, ms: 20 }));

    const { events, mostAtOnce } = await trace(items, 3);

    expect(mostAtOnce).toBe(3);
    expect(events.filter((event) => event.startsWith('start')).sort()).toEqual(items.map((item) => `start ${item.id}`));
    expect(events.filter((event) => event.startsWith('end'))).toHaveLength(items.length);
    // The first three start before any ends.
    expect(events.slice(0, 3)).toEqual(['start a', 'start b', 'start c']);
  });

  test('items of one lane run one after another, in batch order, even when another lane is free', async () => {
    const items: Item[] = [
      { lane: 'cert-1', id: '1a', ms: 30 },
      { lane: 'cert-2', id: '2a', ms: 5 },
      { lane: 'cert-1', id: '1b', ms: 5 },
      { lane: 'cert-1', id: '1c', ms: 5 },
    ];

    const { events, mostAtOnce } = await trace(items, 5);

    expect(mostAtOnce).toBe(2); // two lanes, however high the limit
    const lane1 = events.filter((event) => event.endsWith('1a') || event.endsWith('1b') || event.endsWith('1c'));
    expect(lane1).toEqual(['start 1a', 'end 1a', 'start 1b', 'end 1b', 'start 1c', 'end 1c']);
    expect(events.indexOf('end 2a')).toBeLessThan(events.indexOf('end 1a'));
  });

  test('a limit of 1 is the batch in order, one item at a time', async () => {
    const items = ['a', 'b', 'c'].map((id, i) => ({ lane: id, id, ms: 10 - i * 3 }));

    const { events, mostAtOnce } = await trace(items, 1);

    expect(mostAtOnce).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  test('an empty batch does nothing; a limit that is not a positive whole number is refused', async () => {
    const work = jest.fn(async () => undefined);
    await runInLanes([], () => 'x', 5, work);
    expect(work).not.toHaveBeenCalled();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expect(runInLanes([1], () => 'x', bad, work)).rejects.toThrow(/parallel must be a positive integer/);
    }
    expect(work).not.toHaveBeenCalled();
  });
});
