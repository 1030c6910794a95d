import { PassThrough } from 'node:stream';
import { connect } from '../../../cli/src/commands/device-connect';
import type { DeviceConfig, DeviceSession } from '../../../cli/src/device/device-flow';
import { CliError, EXIT } from '../../../cli/src/exit-codes';
import { Output } from '../../../cli/src/output';

const CONFIG: DeviceConfig = {
  endpoint: 'localhost',
  port: 8883,
  certChainPem: '',
  keyPem: '',
  rootCaPem: '',
  clientId: 'sensor-1',
  topic: 'things/sensor-1/hello',
  message: 'hi',
  maxAttempts: 3,
  baseDelayMs: 0,
  receive: false,
};

function context() {
  let stdout = '';
  let stderr = '';
  const out = new Output({
    json: true,
    quiet: false,
    stdout: Object.assign(new PassThrough(), { write: (chunk: string) => { stdout += chunk; return true; } }),
    stderr: Object.assign(new PassThrough(), { write: (chunk: string) => { stderr += chunk; return true; } }),
  });
  return { ctx: { values: {}, out, env: {}, signal: new AbortController().signal }, stdout: () => stdout, stderr: () => stderr };
}

function session(published: string[]): DeviceSession {
  return {
    publish: async (topic, payload) => { published.push(`${topic} ${payload}`); },
    subscribe: async () => undefined,
    disconnect: async () => undefined,
  };
}

test('the first-connect close is retried, and the report says on which attempt it got in', async () => {
  const { ctx, stdout, stderr } = context();
  const published: string[] = [];
  let calls = 0;
  const code = await connect(ctx, CONFIG, async () => {
    calls += 1;
    if (calls < 3) throw new Error('The connection was closed unexpectedly');
    return session(published);
  });
  expect(code).toBe(EXIT.OK);
  expect(published).toEqual(['things/sensor-1/hello hi']);
  const report = JSON.parse(stdout());
  expect(report).toMatchObject({ clientId: 'sensor-1', attempts: 3, published: true, endpoint: 'localhost:8883' });
  expect(report.onboardingMs).toBeGreaterThanOrEqual(0);
  expect(report.totalMs).toBeGreaterThanOrEqual(report.onboardingMs);
  expect(stderr()).toContain('attempt 1/3: failed: The connection was closed unexpectedly');
});

test('every attempt failing is exit 6 with what to check', async () => {
  const { ctx } = context();
  const failure = connect(ctx, CONFIG, async () => { throw new Error('closed'); });
  await expect(failure).rejects.toBeInstanceOf(CliError);
  await failure.catch((error: CliError) => {
    expect(error.exitCode).toBe(EXIT.DEVICE);
    expect(error.message).toContain('gave up after 3 attempts');
    expect(error.hint).toContain('auto-registration');
  });
});

test('a refused publish after connecting is exit 6 naming the policy', async () => {
  const { ctx } = context();
  const failure = connect(ctx, CONFIG, async () => ({ ...session([]), publish: async () => { throw new Error('PUBACK not received'); } }));
  await failure.catch((error: CliError) => {
    expect(error.exitCode).toBe(EXIT.DEVICE);
    expect(error.hint).toContain('policy');
  });
  await expect(failure).rejects.toBeInstanceOf(CliError);
});
