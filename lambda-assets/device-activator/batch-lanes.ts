/**
 * Works through a batch with several items at once, but never two items of the same lane at once:
 * items that share a lane (repeats of one certificate's event) run one after another, in batch order,
 * so the second sees what the first settled; different lanes overlap, up to `parallel` at a time.
 */
export async function runInLanes<T>(
  items: readonly T[],
  laneOf: (item: T) => string,
  parallel: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`parallel must be a positive integer, got ${parallel}`);
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = laneOf(item);
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  const waiting = [...lanes.values()];
  const runLanes = async (): Promise<void> => {
    for (let lane = waiting.shift(); lane; lane = waiting.shift()) {
      for (const item of lane) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, waiting.length) }, runLanes));
}
