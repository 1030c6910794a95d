/**
 * One holder per key at a time, within this process: callers with the same key run their critical
 * sections one after another, in call order; different keys do not wait for each other.
 */
export class KeyedLock {
  /** Per key, the promise the next caller waits for: settles when the current tail is done. */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    await before;
    try {
      return await critical();
    } finally {
      release();
      // The last holder leaves no entry behind, so the map stays as small as the keys in use.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys held or waited for now. */
  get size(): number {
    return this.tails.size;
  }
}
