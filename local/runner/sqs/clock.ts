/** Time as the local SQS queues and pollers see it: injectable so tests are fast and deterministic. */
export interface Clock {
  /** Milliseconds since the epoch (or since any fixed origin, for a manual clock). */
  now(): number;
  /** Runs `callback` once after `delayMs`; the returned function cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
}

/** A clock whose time only moves when told to; `drained()` steps it from timer to timer. */
export interface SteppableClock extends Clock {
  /** Moves time to the earliest pending timer and fires it; false when no timer is pending. */
  advanceToNextTimer(): boolean;
}

export function isSteppable(clock: Clock): clock is SteppableClock {
  return typeof (clock as Partial<SteppableClock>).advanceToNextTimer === 'function';
}

/** Real time, with Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

interface PendingTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/** Virtual time for tests: timers fire in (time, creation) order as the clock is advanced. */
export class ManualClock implements SteppableClock {
  private current: number;
  private created = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer: PendingTimer = { at: this.current + Math.max(0, delayMs), order: this.created++, callback };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms} ms`);
    const target = this.current + ms;
    for (let next = this.earliest(); next && next.at <= target; next = this.earliest()) {
      this.fire(next);
    }
    this.current = target;
  }

  advanceToNextTimer(): boolean {
    const next = this.earliest();
    if (!next) return false;
    this.fire(next);
    return true;
  }

  /** How many timers are waiting to fire. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  private fire(timer: PendingTimer): void {
    this.timers.delete(timer);
    this.current = Math.max(this.current, timer.at);
    timer.callback();
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (!best || timer.at < best.at || (timer.at === best.at && timer.order < best.order)) best = timer;
    }
    return best;
  }
}

/** Resolves after `ms` of the given clock's time (for handlers that should take a while). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(resolve, ms);
  });
}
