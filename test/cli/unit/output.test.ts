import { PassThrough } from 'node:stream';
import { Output } from '../../../cli/src/output';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  return { stream, text: () => text };
}

afterEach(() => jest.useRealTimers());

test('a step shorter than a second shows nothing', async () => {
  const stderr = capture(false);
  const out = new Output({ json: false, quiet: false, stderr: stderr.stream });
  await expect(out.step('quick', async () => 42)).resolves.toBe(42);
  expect(stderr.text()).toBe('');
});

test('a step longer than a second says what it waits for, then how long it took', async () => {
  jest.useFakeTimers();
  const stderr = capture(false);
  const out = new Output({ json: false, quiet: false, stderr: stderr.stream });
  let finish!: () => void;
  const step = out.step('generating a RSA-4096 key', () => new Promise<void>((resolve) => { finish = resolve; }));
  jest.advanceTimersByTime(1500);
  await Promise.resolve();
  expect(stderr.text()).toBe('generating a RSA-4096 key...\n');
  finish();
  await step;
  expect(stderr.text()).toMatch(/^generating a RSA-4096 key\.\.\.\ngenerating a RSA-4096 key: done in \d+\.\d s\n$/);
});

test('a failed long step says so and rethrows', async () => {
  jest.useFakeTimers();
  const stderr = capture(false);
  const out = new Output({ json: false, quiet: false, stderr: stderr.stream });
  let fail!: (error: Error) => void;
  const step = out.step('POST /caRegister', () => new Promise<void>((_, reject) => { fail = reject; }));
  jest.advanceTimersByTime(1200);
  fail(new Error('boom'));
  await expect(step).rejects.toThrow('boom');
  expect(stderr.text()).toContain('POST /caRegister: failed in');
});

test('--quiet silences progress; --json prints one document on stdout and nothing else', () => {
  const stdout = capture(false);
  const stderr = capture(false);
  const out = new Output({ json: true, quiet: true, stdout: stdout.stream, stderr: stderr.stream });
  out.progress('working');
  out.result({ a: 1 }, ['human line']);
  expect(stderr.text()).toBe('');
  expect(JSON.parse(stdout.text())).toEqual({ a: 1 });
});
