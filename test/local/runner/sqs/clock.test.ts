import { isSteppable, ManualClock, sleep, systemClock } from '../../../../local/runner/sqs';

describe('ManualClock', () => {
  test('fires timers in time order, then creation order, as time advances', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimer(() => fired.push(`c@${clock.now()}`), 20);
    clock.advance(15);
    expect(fired).toEqual(['a@110']);
    expect(clock.now()).toBe(115);
    clock.advance(100);
    expect(fired).toEqual(['a@110', 'b@120', 'c@120']);
    expect(clock.now()).toBe(215);
    expect(clock.pendingTimers).toBe(0);
  });

  test('a cancelled timer never fires; timers set while firing are honoured', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const cancel = clock.setTimer(() => fired.push(1), 5);
    clock.setTimer(() => clock.setTimer(() => fired.push(clock.now()), 3), 4);
    cancel();
    clock.advance(10);
    expect(fired).toEqual([7]);
  });

  test('advanceToNextTimer steps to the earliest timer and reports when none is left', () => {
    const clock = new ManualClock();
    clock.setTimer(() => undefined, 50);
    expect(clock.advanceToNextTimer()).toBe(true);
    expect(clock.now()).toBe(50);
    expect(clock.advanceToNextTimer()).toBe(false);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  test('sleep resolves on clock time; the system clock is real time', async () => {
    const clock = new ManualClock();
    let woke = false;
    const sleeping = sleep(clock, 1000).then(() => {
      woke = true;
    });
    clock.advance(999);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(isSteppable(clock)).toBe(true);
    expect(isSteppable(systemClock)).toBe(false);
    const before = systemClock.now();
    await sleep(systemClock, 5);
    expect(systemClock.now()).toBeGreaterThanOrEqual(before + 4);
    let fired = false;
    systemClock.setTimer(() => {
      fired = true;
    }, 1)();
    await sleep(systemClock, 10);
    expect(fired).toBe(false);
  });
});
