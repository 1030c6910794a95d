/** How one operation is driven: `concurrency` loops, each awaiting its previous call before the next. */
export interface MeasureOptions {
  /** Wall time counted, after the warm-up. */
  readonly seconds: number;
  /** Warm-up wall time: JIT, lazy module state, thread pool start-up and the CA's cached context. */
  readonly warmupSeconds: number;
  /** Operations in flight at once. 1 for synchronous work, which cannot overlap anyway. */
  readonly concurrency: number;
}

export interface Measurement {
  readonly operations: number;
  readonly elapsedSeconds: number;
  readonly perSecond: number;
}

/**
 * Runs `operation` for a fixed wall time and counts completions. Loops start no new call once
 * the time is up, and the clock stops when the last call in flight returns, so slow operations
 * (RSA key generation takes tens of milliseconds) are neither cut off nor counted half.
 */
export async function measureRate(operation: () => Promise<unknown> | unknown, options: MeasureOptions): Promise<Measurement> {
  await runFor(operation, options.warmupSeconds, options.concurrency);
  return runFor(operation, options.seconds, options.concurrency);
}

/**
 * Measures two operations that will be compared, in alternating slices rather than one after
 * the other: other load on the machine then weighs on both alike, and a ratio of the two stays
 * meaningful on a busy host. Each gets `seconds` in total, in `slices` turns.
 */
export async function measureRatePair(
  first: () => Promise<unknown> | unknown,
  second: () => Promise<unknown> | unknown,
  options: MeasureOptions & { readonly slices: number },
): Promise<[Measurement, Measurement]> {
  await runFor(first, options.warmupSeconds, options.concurrency);
  await runFor(second, options.warmupSeconds, options.concurrency);
  const totals = [{ operations: 0, elapsedSeconds: 0 }, { operations: 0, elapsedSeconds: 0 }];
  for (let slice = 0; slice < options.slices; slice++) {
    for (const [index, operation] of [first, second].entries()) {
      const part = await runFor(operation, options.seconds / options.slices, options.concurrency);
      totals[index].operations += part.operations;
      totals[index].elapsedSeconds += part.elapsedSeconds;
    }
  }
  const [a, b] = totals.map(total => ({ ...total, perSecond: total.operations / total.elapsedSeconds }));
  return [a, b];
}

async function runFor(operation: () => Promise<unknown> | unknown, seconds: number, concurrency: number): Promise<Measurement> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let operations = 0;
  const loop = async () => {
    // Always run at least one call, so even a warm-up shorter than one operation warms something.
    do {
      await operation();
      operations++;
    } while (process.hrtime.bigint() < deadline);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { operations, elapsedSeconds, perSecond: operations / elapsedSeconds };
}
