import * as fs from 'node:fs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ACCOUNT_ID, definition, functionArn, REGION, SDK_MODULES, temporaryDirectory, writeFiles } from './support';
import { denialReason } from '../../../../local/runner/iam';
import { AccessControl, AuthenticationError, Principal } from '../../../../local/runner/iam/types';
import { LambdaApi, LocalFunctions, startLambdaApi } from '../../../../local/runner/lambda';

const GOOD_ACCESS_KEY = 'AKIDTESTER';
const CALLER: Principal = { arn: `arn:aws:iam::${ACCOUNT_ID}:user/tester`, accountId: ACCOUNT_ID };

/** Accepts one access key (without checking the signature itself) and allows invoking only the listed ARNs. */
function fakeAccessControl(allowed: readonly string[]): AccessControl {
  return {
    authenticate(request) {
      const authorization = String(request.headers.authorization ?? '');
      if (!authorization.includes(`Credential=${GOOD_ACCESS_KEY}/`)) {
        throw new AuthenticationError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
      }
      return CALLER;
    },
    authorize(request) {
      return request.action === 'lambda:InvokeFunction' && allowed.includes(request.resource)
        ? { allowed: true, reason: 'allowed by policy' }
        : { allowed: false, reason: denialReason(request) };
    },
  };
}

let root: string;
let functions: LocalFunctions;
let api: LambdaApi;
let client: LambdaClient;
const eventRuns: Array<() => void> = [];

function clientWith(accessKeyId: string): LambdaClient {
  return new LambdaClient({ region: REGION, endpoint: api.url, credentials: { accessKeyId, secretAccessKey: 'any' } });
}

function payloadOf(bytes: Uint8Array | undefined): unknown {
  return JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
}

beforeAll(async () => {
  root = temporaryDirectory('lambda-api-test');
  const directory = writeFiles(root, {
    'index.js': `
      exports.handler = async (event) => {
        if (event.fail) throw new Error('asked to fail');
        console.log('ran', JSON.stringify(event));
        return { echo: event };
      };`,
  });
  functions = new LocalFunctions({
    region: REGION,
    accountId: ACCOUNT_ID,
    serviceEndpoints: {},
    sdkModulesDirectory: SDK_MODULES,
    onLog: (_name, line) => {
      if (line.includes('"async":true')) {
        eventRuns.splice(0).forEach((notify) => notify());
      }
    },
  });
  functions.add(definition('echo', directory));
  functions.add(definition('private', directory));
  api = await startLambdaApi({
    functions,
    accessControl: fakeAccessControl([functionArn('echo'), functionArn('does-not-exist')]),
  });
  client = clientWith(GOOD_ACCESS_KEY);
});

afterAll(async () => {
  client.destroy();
  await api.close();
  await functions.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('Invoke through @aws-sdk/client-lambda', () => {
  test('a RequestResponse invocation returns the payload, status 200 and the executed version', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from(JSON.stringify({ hello: 'world' })) }));
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    expect(payloadOf(output.Payload)).toEqual({ echo: { hello: 'world' } });
  });

  test('the function can be named by ARN and qualified with $LATEST', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: functionArn('echo'), Qualifier: '$LATEST', Payload: Buffer.from('[1,2]') }));
    expect(payloadOf(output.Payload)).toEqual({ echo: [1, 2] });
  });

  test('a function error comes back with 200, X-Amz-Function-Error and Lambda\'s error object', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"fail":true}') }));
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    expect(payloadOf(output.Payload)).toMatchObject({ errorType: 'Error', errorMessage: 'asked to fail' });
  });

  test('LogType Tail returns the invocation\'s log, base64-encoded', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail', Payload: Buffer.from('{"n":1}') }));
    expect(Buffer.from(output.LogResult ?? '', 'base64').toString('utf8')).toContain('ran {"n":1}');
  });

  test('an Event invocation answers 202 at once and the function runs in the background', async () => {
    const ran = new Promise<void>((resolve) => eventRuns.push(resolve));
    const output = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.from('{"async":true}') }));
    expect(output.StatusCode).toBe(202);
    await ran;
  });

  test('a DryRun checks the permission only and answers 204', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    expect(output.StatusCode).toBe(204);
    await expect(client.send(new InvokeCommand({ FunctionName: 'private', InvocationType: 'DryRun' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('a function the caller may not invoke is AccessDeniedException naming the caller, action and resource', async () => {
    const error = await client.send(new InvokeCommand({ FunctionName: 'private', Payload: Buffer.from('{}') })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message: `User: ${CALLER.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn('private')}`
        + ' because no identity-based policy allows the lambda:InvokeFunction action',
    });
  });

  test('an unknown function is ResourceNotFoundException with its ARN, once the caller may invoke it', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'does-not-exist' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
      message: `Function not found: ${functionArn('does-not-exist')}`,
    });
    // Without the permission, whether it exists stays hidden.
    await expect(client.send(new InvokeCommand({ FunctionName: 'hidden' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('a qualifier other than $LATEST names no local function', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'prod' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('an unknown access key is the AuthenticationError\'s code and status', async () => {
    const stranger = clientWith('AKIDSTRANGER');
    try {
      await expect(stranger.send(new InvokeCommand({ FunctionName: 'echo' }))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      stranger.destroy();
    }
  });

  test('a payload that is not JSON is InvalidRequestContentException', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  test('a payload over 6 MB is RequestTooLargeException', async () => {
    const payload = Buffer.from(JSON.stringify({ blob: 'x'.repeat(6 * 1024 * 1024) }));
    await expect(client.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload }))).rejects.toMatchObject({
      name: 'RequestTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
  });
});

describe('throttling through the API', () => {
  test('reserved concurrency exhausted is 429 TooManyRequestsException', async () => {
    const directory = writeFiles(`${root}/slow`, { 'index.js': 'exports.handler = () => new Promise((resolve) => setTimeout(resolve, 300));' });
    const throttled = new LocalFunctions({ region: REGION, accountId: ACCOUNT_ID, serviceEndpoints: {}, sdkModulesDirectory: SDK_MODULES });
    throttled.add(definition('slow', directory, { reservedConcurrency: 1 }));
    const slowApi = await startLambdaApi({ functions: throttled, accessControl: fakeAccessControl([functionArn('slow')]) });
    const slowClient = new LambdaClient({
      region: REGION, endpoint: slowApi.url, credentials: { accessKeyId: GOOD_ACCESS_KEY, secretAccessKey: 'any' }, maxAttempts: 1,
    });
    try {
      const running = slowClient.send(new InvokeCommand({ FunctionName: 'slow' }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(slowClient.send(new InvokeCommand({ FunctionName: 'slow' }))).rejects.toMatchObject({
        name: 'TooManyRequestsException',
        $metadata: { httpStatusCode: 429 },
      });
      expect((await running).StatusCode).toBe(200);
    } finally {
      slowClient.destroy();
      await slowApi.close();
      await throttled.close();
    }
  });
});
