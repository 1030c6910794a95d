import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNT_ID, definition, functionArn, REGION, SDK_MODULES, temporaryDirectory, writeFiles } from './support';
import { LambdaServiceError, LocalFunctions } from '../../../../local/runner/lambda';

const SERVICE_ENDPOINTS = { IOT: 'http://127.0.0.1:1', S3: 'http://127.0.0.1:2' };

let root: string;
const opened: LocalFunctions[] = [];

/** A LocalFunctions whose functions' lines are also collected, closed after each test. */
function localFunctions(options: { accountConcurrencyLimit?: number; serviceEndpoints?: Record<string, string> } = {}) {
  const logged: Array<[string, string]> = [];
  const functions = new LocalFunctions({
    region: REGION,
    accountId: ACCOUNT_ID,
    serviceEndpoints: options.serviceEndpoints ?? SERVICE_ENDPOINTS,
    sdkModulesDirectory: SDK_MODULES,
    onLog: (functionName, line) => logged.push([functionName, line]),
    accountConcurrencyLimit: options.accountConcurrencyLimit,
  });
  opened.push(functions);
  return { functions, logged };
}

/** Writes one function's code into its own directory under the test's temporary root. */
function code(name: string, files: Record<string, string>): string {
  const directory = `${root}/${name}`;
  fs.mkdirSync(directory, { recursive: true });
  return writeFiles(directory, files);
}

beforeAll(() => {
  root = temporaryDirectory('local-functions-test');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((functions) => functions.close()));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const ENV_HANDLER = 'exports.handler = async () => ({ ...process.env });';

describe('environment', () => {
  test('each function sees only its own variables, not the other function\'s nor the host\'s', async () => {
    process.env.LOCAL_LAMBDA_HOST_SECRET = 'host-only';
    try {
      const { functions } = localFunctions();
      const directory = code('env', { 'index.js': ENV_HANDLER });
      functions.add(definition('first', directory, { environment: { TABLE: 'first-table', ONLY_FIRST: '1' } }));
      functions.add(definition('second', directory, { environment: { TABLE: 'second-table' } }));

      const first = (await functions.invoke('first', {})).payload as Record<string, string>;
      const second = (await functions.invoke('second', {})).payload as Record<string, string>;

      expect(first.TABLE).toBe('first-table');
      expect(first.ONLY_FIRST).toBe('1');
      expect(second.TABLE).toBe('second-table');
      expect(second.ONLY_FIRST).toBeUndefined();
      expect(first.LOCAL_LAMBDA_HOST_SECRET).toBeUndefined();
      expect(second.AWS_ACCESS_KEY_ID).toBe('AKIDSECOND');
      expect(first.AWS_ACCESS_KEY_ID).toBe('AKIDFIRST');
    } finally {
      delete process.env.LOCAL_LAMBDA_HOST_SECRET;
    }
  });

  test('Lambda\'s reserved variables are set and override the template\'s', async () => {
    const { functions } = localFunctions();
    const directory = code('reserved', { 'index.js': ENV_HANDLER });
    functions.add(definition('reserved', directory, {
      memorySizeMb: 512,
      runtime: 'nodejs22.x',
      environment: { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'AKIDTEMPLATE', AWS_ENDPOINT_URL_IOT: 'https://iot.example', APP: 'kept' },
    }));

    const env = (await functions.invoke('reserved', {})).payload as Record<string, string>;

    expect(env).toMatchObject({
      APP: 'kept',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_LAMBDA_FUNCTION_NAME: 'reserved',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/reserved',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: directory,
      AWS_ACCESS_KEY_ID: 'AKIDRESERVED',
      AWS_SECRET_ACCESS_KEY: 'secret-reserved',
      AWS_SESSION_TOKEN: 'token-reserved',
      AWS_ENDPOINT_URL_IOT: SERVICE_ENDPOINTS.IOT,
      AWS_ENDPOINT_URL_S3: SERVICE_ENDPOINTS.S3,
      TZ: ':UTC',
      _HANDLER: 'index.handler',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env.PATH).toBeDefined();
    expect(env.HOME).toBeDefined();
  });

  test('a role without a session token gives the function none, even if the template sets one', async () => {
    const { functions } = localFunctions();
    functions.add(definition('no-token', code('no-token', { 'index.js': ENV_HANDLER }), {
      environment: { AWS_SESSION_TOKEN: 'stale' },
      role: { arn: 'arn:aws:iam::123456789012:role/r', credentials: { accessKeyId: 'AKIDX', secretAccessKey: 's' } },
    }));
    const env = (await functions.invoke('no-token', {})).payload as Record<string, string>;
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
  });
});

describe('the AWS SDK as the Lambda runtime provides it', () => {
  test('a handler in a temporary directory requires @aws-sdk/client-iot and calls the local endpoint with its role\'s credentials', async () => {
    const received: Array<{ url?: string; authorization?: string }> = [];
    const server = http.createServer((request, response) => {
      received.push({ url: request.url, authorization: request.headers.authorization });
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ things: [{ thingName: 'thing-1' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const iotEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { functions } = localFunctions({ serviceEndpoints: { IOT: iotEndpoint } });
      functions.add(definition('sdk-user', code('sdk-user', {
        // A nested module of the function's own requires the SDK too: resolution must not depend on the requiring file.
        'lib/things.js': `
          const { IoTClient, ListThingsCommand } = require('@aws-sdk/client-iot');
          exports.listThings = async () => (await new IoTClient({}).send(new ListThingsCommand({}))).things;`,
        'src/app.js': `
          const { listThings } = require('../lib/things');
          exports.handler = async () => ({ things: await listThings() });`,
      }), { handler: 'src/app.handler' }));

      const result = await functions.invoke('sdk-user', {});

      expect(result.error).toBeUndefined();
      expect(result.payload).toEqual({ things: [{ thingName: 'thing-1' }] });
      expect(received).toHaveLength(1);
      expect(received[0].url).toMatch(/^\/things/);
      expect(received[0].authorization).toContain('Credential=AKIDSDKUSER/');
      expect(received[0].authorization).toContain(`/${REGION}/iot/aws4_request`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('instances', () => {
  const COUNTER = `
    let invocations = 0;
    exports.handler = async (event) => {
      invocations += 1;
      if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));
      return { invocations, threadId: require('node:worker_threads').threadId };
    };`;

  test('a warm instance is reused and keeps its module state', async () => {
    const { functions } = localFunctions();
    functions.add(definition('counter', code('counter', { 'index.js': COUNTER })));

    const first = (await functions.invoke('counter', {})).payload as { invocations: number; threadId: number };
    const second = (await functions.invoke(functionArn('counter'), {})).payload as { invocations: number; threadId: number };

    expect(first.invocations).toBe(1);
    expect(second).toEqual({ invocations: 2, threadId: first.threadId });
  });

  test('concurrent invocations start new instances up to the reserved concurrency, then throttle', async () => {
    const { functions } = localFunctions();
    functions.add(definition('reserved-two', code('reserved-two', { 'index.js': COUNTER }), { reservedConcurrency: 2 }));

    const running = [functions.invoke('reserved-two', { waitMs: 500 }), functions.invoke('reserved-two', { waitMs: 500 })];
    const throttled = functions.invoke('reserved-two', {});

    await expect(throttled).rejects.toBeInstanceOf(LambdaServiceError);
    await expect(throttled).rejects.toMatchObject({ code: 'TooManyRequestsException', message: 'Rate Exceeded.', httpStatus: 429 });
    const results = (await Promise.all(running)).map((result) => result.payload as { invocations: number; threadId: number });
    expect(results.map((result) => result.invocations)).toEqual([1, 1]);
    expect(results[0].threadId).not.toBe(results[1].threadId);
    // Once they finish, a slot is free again.
    expect((await functions.invoke('reserved-two', {})).error).toBeUndefined();
  });

  test('functions without reserved concurrency share the account limit', async () => {
    const { functions } = localFunctions({ accountConcurrencyLimit: 1 });
    functions.add(definition('shared-a', code('shared-a', { 'index.js': COUNTER })));
    functions.add(definition('shared-b', code('shared-b', { 'index.js': COUNTER })));
    functions.add(definition('own-slot', code('own-slot', { 'index.js': COUNTER }), { reservedConcurrency: 1 }));

    const running = functions.invoke('shared-a', { waitMs: 300 });
    await expect(functions.invoke('shared-b', {})).rejects.toMatchObject({ code: 'TooManyRequestsException' });
    expect((await functions.invoke('own-slot', {})).error).toBeUndefined();
    await running;
  });

  test('reserved concurrency 0 throttles every invocation', async () => {
    const { functions } = localFunctions();
    functions.add(definition('disabled', code('disabled', { 'index.js': COUNTER }), { reservedConcurrency: 0 }));
    await expect(functions.invoke('disabled', {})).rejects.toMatchObject({ code: 'TooManyRequestsException', httpStatus: 429 });
  });
});

describe('results', () => {
  test('the handler\'s value comes back JSON round-tripped, and undefined as null', async () => {
    const { functions } = localFunctions();
    functions.add(definition('values', code('values', {
      'index.js': 'exports.handler = async (event) => event.nothing ? undefined : { at: new Date(0), skip: undefined, echo: event };',
    })));
    expect(await functions.invoke('values', { a: [1, 'b'] })).toEqual({
      payload: { at: '1970-01-01T00:00:00.000Z', echo: { a: [1, 'b'] } },
      logs: [expect.stringMatching(/^REPORT RequestId: /)],
    });
    expect((await functions.invoke('values', { nothing: true })).payload).toBeNull();
  });

  test('the context carries what Lambda gives a handler', async () => {
    const { functions } = localFunctions();
    functions.add(definition('context', code('context', {
      'index.js': `exports.handler = async (event, context) => ({
        ...context, remaining: context.getRemainingTimeInMillis(), hasRemaining: typeof context.getRemainingTimeInMillis });`,
    }), { memorySizeMb: 256, timeoutSeconds: 5 }));

    const context = (await functions.invoke('context', {})).payload as Record<string, unknown>;

    expect(context).toMatchObject({
      functionName: 'context',
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArn('context'),
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/context',
      callbackWaitsForEmptyEventLoop: true,
      hasRemaining: 'function',
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(context.logStreamName).toMatch(/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.remaining).toBeGreaterThan(4000);
    expect(context.remaining).toBeLessThanOrEqual(5000);
  });

  test('a callback-style handler answers through its callback, success or error', async () => {
    const { functions } = localFunctions();
    functions.add(definition('callback', code('callback', {
      'index.js': `exports.handler = (event, context, callback) => {
        setTimeout(() => event.fail ? callback(new Error('callback failed')) : callback(null, { called: 'back' }), 10);
      };`,
    })));
    expect((await functions.invoke('callback', {})).payload).toEqual({ called: 'back' });
    expect(await functions.invoke('callback', { fail: true })).toMatchObject({
      functionError: 'Unhandled',
      error: { errorType: 'Error', errorMessage: 'callback failed' },
    });
  });

  test('a thrown error is an Unhandled function error with Lambda\'s error object', async () => {
    const { functions } = localFunctions();
    functions.add(definition('throws', code('throws', {
      'index.js': 'exports.handler = async () => { throw new TypeError(\'bad input\'); };',
    })));

    const result = await functions.invoke('throws', {});

    expect(result.functionError).toBe('Unhandled');
    expect(result.error).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    const payload = result.payload as { errorType: string; errorMessage: string; trace: string[] };
    expect(payload).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    expect(payload.trace[0]).toBe('TypeError: bad input');
    expect(payload.trace[1]).toMatch(/^\s+at /);
  });

  test('a timeout ends the invocation as Sandbox.Timedout and the next one gets a fresh instance', async () => {
    const { functions } = localFunctions();
    functions.add(definition('slow', code('slow', {
      'index.js': `
        let invocations = 0;
        exports.handler = async (event) => {
          invocations += 1;
          console.log('started', invocations);
          if (event.hang) await new Promise(() => undefined);
          return { invocations };
        };`,
    }), { timeoutSeconds: 1 }));

    const started = Date.now();
    const timedOut = await functions.invoke('slow', { hang: true });

    expect(Date.now() - started).toBeLessThan(5000);
    expect(timedOut.functionError).toBe('Unhandled');
    expect(timedOut.payload).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    expect(timedOut.logs[0]).toBe('started 1');
    expect(timedOut.logs[timedOut.logs.length - 2]).toMatch(/Task timed out after 1\.00 seconds$/);
    expect(timedOut.logs[timedOut.logs.length - 1]).toMatch(/^REPORT RequestId: \S+\tDuration: (1\d{3}|[2-9]\d{3})\.\d{2} ms\t/);
    expect((await functions.invoke('slow', {})).payload).toEqual({ invocations: 1 });
  });

  test('a worker that exits is a Runtime.ExitError and is replaced', async () => {
    const { functions } = localFunctions();
    functions.add(definition('exits', code('exits', {
      'index.js': `
        let invocations = 0;
        exports.handler = async (event) => {
          invocations += 1;
          if (event.exit) { console.log('exiting'); process.exit(3); }
          return { invocations };
        };`,
    })));

    const crashed = await functions.invoke('exits', { exit: true });

    expect(crashed.functionError).toBe('Unhandled');
    expect(crashed.error?.errorType).toBe('Runtime.ExitError');
    expect(crashed.error?.errorMessage).toMatch(/Runtime exited with error: exit status 3$/);
    expect(crashed.logs).toContain('exiting');
    expect((await functions.invoke('exits', {})).payload).toEqual({ invocations: 1 });
  });

  test('an exception thrown in a timer ends the invocation with that error and a fresh instance follows', async () => {
    const { functions } = localFunctions();
    functions.add(definition('timer-throws', code('timer-throws', {
      'index.js': `
        exports.handler = async (event) => {
          if (!event.throwLater) return 'fine';
          setTimeout(() => { throw new RangeError('from a timer'); }, 5);
          await new Promise(() => undefined);
        };`,
    })));

    const crashed = await functions.invoke('timer-throws', { throwLater: true });

    expect(crashed.functionError).toBe('Unhandled');
    expect(crashed.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'from a timer' });
    expect((await functions.invoke('timer-throws', {})).payload).toBe('fine');
  });

  test('a rejected promise nobody awaits is Runtime.UnhandledPromiseRejection', async () => {
    const { functions } = localFunctions();
    functions.add(definition('unawaited', code('unawaited', {
      'index.js': `exports.handler = async () => {
        Promise.reject(new Error('nobody waits'));
        await new Promise(() => undefined);
      };`,
    })));
    expect((await functions.invoke('unawaited', {})).error).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody waits',
    });
  });

  test.each([
    ['a module that does not exist', { 'other.js': 'exports.handler = async () => 1;' }, 'index.handler', 'Runtime.ImportModuleError', "Error: Cannot find module 'index'"],
    ['a handler the module does not export', { 'index.js': 'exports.other = async () => 1;' }, 'index.handler', 'Runtime.HandlerNotFound', 'index.handler is undefined or not exported'],
    ['a syntax error', { 'index.js': 'exports.handler = async () => {' }, 'index.handler', 'Runtime.UserCodeSyntaxError', 'SyntaxError'],
    ['a missing dependency', { 'index.js': "require('not-installed-anywhere');" }, 'index.handler', 'Runtime.ImportModuleError', "Cannot find module 'not-installed-anywhere'"],
    ['a handler setting without an export name', { 'index.js': 'exports.handler = async () => 1;' }, 'index', 'Runtime.MalformedHandlerName', 'Bad handler'],
    ['a module that throws while loading', { 'index.js': "throw new Error('init failed');" }, 'index.handler', 'Error', 'init failed'],
  ])('%s fails the invocation as Lambda names it', async (label, files, handler, errorType, message) => {
    const { functions } = localFunctions();
    const name = `broken-${label.replace(/[^a-z]+/g, '-')}`.slice(0, 60);
    functions.add(definition(name, code(name, files), { handler }));

    const result = await functions.invoke(name, {});

    expect(result.functionError).toBe('Unhandled');
    expect(result.error?.errorType).toBe(errorType);
    expect(result.error?.errorMessage).toContain(message);
  });

  test('an ES module handler (.mjs) is loaded too', async () => {
    const { functions } = localFunctions();
    functions.add(definition('esm', code('esm', { 'index.mjs': 'export const handler = async (event) => ({ esm: event.n });' })));
    expect((await functions.invoke('esm', { n: 7 })).payload).toEqual({ esm: 7 });
  });
});

describe('logs', () => {
  test('each invocation returns its own lines from stdout and stderr, and onLog sees every line', async () => {
    const { functions, logged } = localFunctions();
    functions.add(definition('logger', code('logger', {
      'index.js': `
        console.log('loading');
        exports.handler = async (event) => {
          console.log('info', event.n);
          console.error('problem', event.n);
          process.stdout.write('no newline ' + event.n);
          return event.n;
        };`,
    })));

    const first = await functions.invoke('logger', { n: 1 });
    const second = await functions.invoke('logger', { n: 2 });

    const own = (lines: readonly string[]) => lines.filter((line) => !line.startsWith('REPORT '));
    expect(own(first.logs).sort()).toEqual(['info 1', 'loading', 'no newline 1', 'problem 1']);
    expect(own(second.logs).sort()).toEqual(['info 2', 'no newline 2', 'problem 2']);
    expect(own(logged.filter(([name]) => name === 'logger').map(([, line]) => line)).sort())
      .toEqual(['info 1', 'info 2', 'loading', 'no newline 1', 'no newline 2', 'problem 1', 'problem 2']);
  });

  test('each invocation ends with Lambda\'s REPORT line, in its logs and to onLog', async () => {
    const { functions, logged } = localFunctions();
    functions.add(definition('reported', code('reported', {
      'index.js': `exports.handler = async (event, context) => {
        console.log('ran');
        await new Promise((resolve) => setTimeout(resolve, 20));
        return context.awsRequestId;
      };`,
    }), { memorySizeMb: 256 }));

    const result = await functions.invoke('reported', {});

    const requestId = result.payload as string;
    expect(result.logs).toHaveLength(2);
    expect(result.logs[0]).toBe('ran');
    const report = result.logs[1];
    expect(report).toMatch(new RegExp(
      `^REPORT RequestId: ${requestId}\tDuration: (\\d+)\\.\\d{2} ms\tBilled Duration: (\\d+) ms\tMemory Size: 256 MB\tMax Memory Used: (\\d+) MB$`,
    ));
    const [, duration, billed, maxUsed] = /Duration: (\d+\.\d+) ms\tBilled Duration: (\d+) ms.*Max Memory Used: (\d+) MB/.exec(report)!;
    expect(Number(duration)).toBeGreaterThanOrEqual(15);
    expect(Number(billed)).toBe(Math.ceil(Number(duration)));
    expect(Number(maxUsed)).toBe(Math.ceil(functions.memoryUsage().reported.peakInstanceHeapUsedBytes / (1024 * 1024)));
    expect(logged[logged.length - 1]).toEqual(['reported', report]);
  });
});

describe('memory', () => {
  const MB = 1024 * 1024;

  /**
   * Keeps `keepMb` megabytes per invocation in a module-level array (a warm instance's state piling up); `exit` ends
   * the instance. An array of doubles: 8 bytes an element, on the V8 heap (a Buffer's memory would not be).
   */
  const KEEPER = `
    const kept = [];
    exports.handler = async (event) => {
      if (event.keepMb) kept.push(new Array(event.keepMb * 131072).fill(0.5));
      if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));
      if (event.exit) process.exit(1);
      return kept.length;
    };`;

  /**
   * Allocates 20 MB each invocation and drops it, then collects the garbage: when V8 collects on its own is not
   * deterministic, so the handler forces a full collection (exposing gc for a moment: V8 flags are per process)
   * and what the runner reports is what the instance really holds.
   */
  const DROPPER = `
    const v8 = require('node:v8');
    v8.setFlagsFromString('--expose-gc');
    const collectGarbage = require('node:vm').runInNewContext('gc');
    v8.setFlagsFromString('--no-expose-gc');
    const allocate = (mb) => new Array(mb * 131072).fill(0.5).length;
    exports.handler = async () => {
      const allocated = allocate(20);
      collectGarbage();
      return allocated;
    };`;

  test('a function not invoked yet has no instances and no heap', () => {
    const { functions } = localFunctions();
    functions.add(definition('idle', code('idle', { 'index.js': KEEPER })));
    expect(functions.memoryUsage()).toEqual({ idle: { instances: 0, heapUsedBytes: 0, peakInstanceHeapUsedBytes: 0 } });
  });

  test('a function that keeps 20 MB per invocation in a global array shows its heap growing by as much', async () => {
    const { functions } = localFunctions();
    functions.add(definition('keeper', code('keeper', { 'index.js': KEEPER })));

    await functions.invoke('keeper', {});
    const before = functions.memoryUsage().keeper;
    for (let i = 1; i <= 3; i++) {
      expect((await functions.invoke('keeper', { keepMb: 20 })).payload).toBe(i);
    }
    const after = functions.memoryUsage().keeper;

    expect(before.instances).toBe(1);
    expect(before.heapUsedBytes).toBeGreaterThan(0);
    expect(after.instances).toBe(1);
    // 60 MB more are live, so at least that much more is in use; `before` may include some garbage, hence the slack.
    expect(after.heapUsedBytes - before.heapUsedBytes).toBeGreaterThanOrEqual(40 * MB);
    expect(after.peakInstanceHeapUsedBytes).toBeGreaterThanOrEqual(after.heapUsedBytes);
  });

  test('a function that allocates 20 MB per invocation and drops it stays flat over 20 invocations', async () => {
    const { functions } = localFunctions();
    functions.add(definition('dropper', code('dropper', { 'index.js': DROPPER })));

    const samples = [];
    for (let i = 0; i < 20; i++) {
      await functions.invoke('dropper', {});
      samples.push(functions.memoryUsage().dropper);
    }

    for (const sample of samples) {
      expect(sample.instances).toBe(1);
      expect(sample.heapUsedBytes).toBeGreaterThan(0);
      expect(sample.heapUsedBytes).toBeLessThan(samples[0].heapUsedBytes + 10 * MB);
    }
    // 400 MB went through the instance; none of it was ever reported as held (the init phase's report counts too).
    expect(samples[19].peakInstanceHeapUsedBytes).toBeLessThan(samples[0].heapUsedBytes + 20 * MB);
  });

  test('the live instances\' latest heaps add up; the peak is the largest one instance reached', async () => {
    const { functions } = localFunctions();
    functions.add(definition('pair', code('pair', { 'index.js': KEEPER })));

    await Promise.all([functions.invoke('pair', { keepMb: 20, waitMs: 200 }), functions.invoke('pair', { waitMs: 200 })]);
    const usage = functions.memoryUsage().pair;

    expect(usage.instances).toBe(2);
    expect(usage.peakInstanceHeapUsedBytes).toBeGreaterThanOrEqual(20 * MB);
    // The keeping instance's latest is its peak, and the other one's heap comes on top of it.
    expect(usage.heapUsedBytes).toBeGreaterThan(usage.peakInstanceHeapUsedBytes);
  });

  test('an instance that died leaves the live count and the sum, not the peak', async () => {
    const { functions } = localFunctions();
    functions.add(definition('crasher', code('crasher', { 'index.js': KEEPER })));

    await functions.invoke('crasher', { keepMb: 20 });
    expect((await functions.invoke('crasher', { exit: true })).error?.errorType).toBe('Runtime.ExitError');
    const crashed = functions.memoryUsage().crasher;
    expect(crashed).toEqual({ instances: 0, heapUsedBytes: 0, peakInstanceHeapUsedBytes: expect.any(Number) });
    expect(crashed.peakInstanceHeapUsedBytes).toBeGreaterThanOrEqual(20 * MB);

    await functions.invoke('crasher', {});
    const replaced = functions.memoryUsage().crasher;
    expect(replaced.instances).toBe(1);
    expect(replaced.heapUsedBytes).toBeGreaterThan(0);
    expect(replaced.heapUsedBytes).toBeLessThan(20 * MB);
    expect(replaced.peakInstanceHeapUsedBytes).toBe(crashed.peakInstanceHeapUsedBytes);
  });
});

describe('registration and lookup', () => {
  test('non-Node.js runtimes are refused, naming the function and runtime', () => {
    const { functions } = localFunctions();
    expect(() => functions.add(definition('python-fn', root, { runtime: 'python3.12' })))
      .toThrow(/python-fn.*python3\.12.*nodejs/);
  });

  test('a function is found by name, ARN, partial ARN and $LATEST, not by other qualifiers, regions or accounts', () => {
    const { functions } = localFunctions();
    functions.add(definition('lookup', root));
    for (const reference of ['lookup', functionArn('lookup'), `${ACCOUNT_ID}:function:lookup`, 'lookup:$LATEST', `${functionArn('lookup')}:$LATEST`]) {
      expect(functions.find(reference)?.functionName).toBe('lookup');
    }
    for (const reference of ['lookup:prod', 'other', `arn:aws:lambda:us-east-1:${ACCOUNT_ID}:function:lookup`, '999999999999:function:lookup', 'not a name']) {
      expect(functions.find(reference)).toBeUndefined();
    }
  });

  test('invoking an unknown function is ResourceNotFoundException with its ARN', async () => {
    const { functions } = localFunctions();
    await expect(functions.invoke('missing', {})).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      httpStatus: 404,
      message: `Function not found: ${functionArn('missing')}`,
    });
  });
});
