/**
 * The Provider framework's side of the protocol, with fake user functions: the PhysicalResourceId
 * default, Data as attributes, Delete that may not change the id, the waiter's schedule and bounds,
 * and the framework role's permission to invoke the user's functions.
 */
import { CustomResourceFailure, CustomResources, providerFrameworkOf, waiterSchedule, type ProviderFramework } from '../../../../local/runner/custom-resources';
import { LocalIam } from '../../../../local/runner/iam';
import { LambdaServiceError, type InvokeResult, type LocalFunctionDefinition, type LocalFunctionInvoker } from '../../../../local/runner/lambda/types';
import type { ResolvedResource } from '../../../../local/runner/types';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const FRAMEWORK_ROLE = `arn:aws:iam::${ACCOUNT}:role/Stack-ProviderframeworkonEventServiceRole-ABC`;
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Stack/7b8e2a10-0000-4000-8000-000000000000`;
const arnOf = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

type Handler = (event: any) => unknown;

function definition(name: string, environment: Record<string, string> = {}): LocalFunctionDefinition {
  return {
    logicalId: name,
    functionName: name,
    functionArn: arnOf(name),
    codeDirectory: '/nowhere',
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    environment,
    role: { arn: FRAMEWORK_ROLE, credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' } },
  };
}

/** User functions by name; `calls` records every invocation's event. */
function fakeFunctions(handlers: Record<string, Handler>, extra: LocalFunctionDefinition[] = []) {
  const calls: { name: string; event: any }[] = [];
  const definitions = [...Object.keys(handlers).map((name) => definition(name)), ...extra];
  const find = (nameOrArn: string) => definitions.find((fn) => fn.functionName === nameOrArn || fn.functionArn === nameOrArn);
  const functions: LocalFunctionInvoker = {
    find,
    invoke: async (nameOrArn, event): Promise<InvokeResult> => {
      const fn = find(nameOrArn);
      if (!fn) throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
      calls.push({ name: fn.functionName, event: JSON.parse(JSON.stringify(event)) });
      try {
        return { payload: JSON.parse(JSON.stringify(await handlers[fn.functionName](event) ?? null)), logs: [] };
      } catch (error) {
        const errorMessage = (error as Error).message;
        return { payload: { errorType: 'Error', errorMessage }, functionError: 'Unhandled', error: { errorType: 'Error', errorMessage }, logs: [] };
      }
    },
  };
  return { functions, calls };
}

/** The framework role may invoke `allowed` (as the Provider's default policy grants). */
function iamAllowing(allowed: string[]): LocalIam {
  const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
  iam.addRole(FRAMEWORK_ROLE, allowed.length === 0 ? [] : [{ Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: allowed }] }]);
  return iam;
}

function provider(extra: Partial<ProviderFramework> = {}): ProviderFramework {
  return { frameworkFunction: definition('Framework'), onEventFunctionArn: arnOf('OnEvent'), waiter: { intervalSeconds: 1, maxAttempts: 2, backoffRate: 2 }, ...extra };
}

const declaration = (properties: Record<string, unknown> = {}) => ({
  stackName: 'Stack', stackId: STACK_ID, logicalId: 'Claim', resourceType: 'Custom::Claim', properties: { ServiceToken: arnOf('Framework'), ...properties },
});

function customResources(functions: LocalFunctionInvoker, iam = iamAllowing(['*']), sleeps: number[] = [], timeoutSeconds?: number) {
  return new CustomResources({
    region: REGION, accountId: ACCOUNT, functions, accessControl: iam, timeoutSeconds, sleep: async (ms) => { sleeps.push(ms); },
  });
}

describe('Create', () => {
  test('an answer without PhysicalResourceId gets the RequestId (the framework default); Data becomes string attributes; NoEcho is kept', async () => {
    const { functions, calls } = fakeFunctions({ OnEvent: () => ({ Data: { Count: 3, Flag: true, Shape: { a: [1] }, Empty: null }, NoEcho: true }) });
    const created = await customResources(functions).create(declaration({ Size: 2, Tags: [{ On: false }] }), provider());
    const [{ event }] = calls;
    expect(event).toEqual({
      RequestType: 'Create',
      ServiceToken: arnOf('Framework'),
      ResponseURL: expect.stringContaining(encodeURIComponent(`${STACK_ID}|Claim|${event.RequestId}`)),
      StackId: STACK_ID,
      RequestId: event.RequestId,
      LogicalResourceId: 'Claim',
      ResourceType: 'Custom::Claim',
      ResourceProperties: { ServiceToken: arnOf('Framework'), Size: '2', Tags: [{ On: 'false' }] },
    });
    expect(created).toMatchObject({ physicalId: event.RequestId, requestId: event.RequestId, noEcho: true });
    expect(created.attributes).toEqual({ Count: '3', Flag: 'true', Shape: '{"a":[1]}' });
  });

  test('a throwing onEvent fails with its message and the log group, as the framework reports it', async () => {
    const { functions } = fakeFunctions({ OnEvent: () => { throw new Error('quota reached'); } });
    const failure = await customResources(functions).create(declaration(), provider()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CustomResourceFailure);
    expect((failure as CustomResourceFailure).status).toBe('CREATE_FAILED');
    expect((failure as CustomResourceFailure).statusReason).toMatch(
      /^Received response status \[FAILED\] from custom resource\. Message returned: quota reached\n\nLogs: \/aws\/lambda\/OnEvent\n \(RequestId: [0-9a-f-]{36}\)$/);
  });

  test('the framework role must be allowed lambda:InvokeFunction on the user function', async () => {
    const { functions, calls } = fakeFunctions({ OnEvent: () => ({}) });
    await expect(customResources(functions, iamAllowing([arnOf('Other')])).create(declaration(), provider())).rejects.toThrow(
      `Message returned: AccessDeniedException: User: ${FRAMEWORK_ROLE} is not authorized to perform: lambda:InvokeFunction on resource: ${arnOf('OnEvent')} `
      + 'because no identity-based policy allows the lambda:InvokeFunction action');
    expect(calls).toEqual([]);
  });

  test('a user function that does not exist fails with Lambda\'s ResourceNotFoundException', async () => {
    const { functions } = fakeFunctions({});
    await expect(customResources(functions).create(declaration(), provider())).rejects.toThrow(/Message returned: ResourceNotFoundException: Function not found: /);
  });

  test('an answer of 4096 bytes passes; one byte more is "Response object is too long."', async () => {
    // The body the framework would send: Status, Reason, StackId, RequestId, PhysicalResourceId, LogicalResourceId, Data.
    const overhead = (requestId: string) => JSON.stringify({
      Status: 'SUCCESS', Reason: 'SUCCESS', StackId: STACK_ID, RequestId: requestId, PhysicalResourceId: 'p', LogicalResourceId: 'Claim', Data: { V: '' },
    }).length;
    for (const [extra, outcome] of [[0, 'passes'], [1, 'fails']] as const) {
      const { functions } = fakeFunctions({ OnEvent: (event) => ({ PhysicalResourceId: 'p', Data: { V: 'x'.repeat(4096 - overhead(event.RequestId) + extra) } }) });
      const result = customResources(functions).create(declaration(), provider());
      if (outcome === 'passes') await expect(result).resolves.toMatchObject({ physicalId: 'p' });
      else await expect(result).rejects.toThrow(/^Stack\/Claim \(Custom::Claim\) CREATE_FAILED: Response object is too long\.$/);
    }
  });
});

describe('isComplete', () => {
  test('is called with the onEvent answer, at once and then on the waiter schedule; its Data joins the answer', async () => {
    let polls = 0;
    const { functions, calls } = fakeFunctions({
      OnEvent: () => ({ PhysicalResourceId: 'claim-1', Data: { CertificateId: 'abc' } }),
      IsComplete: () => (++polls === 3 ? { IsComplete: true, Data: { Status: 'ACTIVE' } } : { IsComplete: false }),
    });
    const sleeps: number[] = [];
    const created = await customResources(functions, undefined, sleeps)
      .create(declaration(), provider({ isCompleteFunctionArn: arnOf('IsComplete'), waiter: { intervalSeconds: 1, maxAttempts: 5, backoffRate: 2 } }));
    expect(sleeps).toEqual([1000, 2000]);
    expect(calls.map((call) => call.name)).toEqual(['OnEvent', 'IsComplete', 'IsComplete', 'IsComplete']);
    expect(calls[1].event).toMatchObject({ RequestType: 'Create', PhysicalResourceId: 'claim-1', Data: { CertificateId: 'abc' }, LogicalResourceId: 'Claim' });
    expect(created.attributes).toEqual({ CertificateId: 'abc', Status: 'ACTIVE' });
  });

  test('after MaxAttempts retries: "Operation timed out"', async () => {
    const { functions, calls } = fakeFunctions({ OnEvent: () => ({}), IsComplete: () => ({ IsComplete: false }) });
    await expect(customResources(functions).create(declaration(), provider({ isCompleteFunctionArn: arnOf('IsComplete') })))
      .rejects.toThrow(/Message returned: Operation timed out \(RequestId/);
    expect(calls.filter((call) => call.name === 'IsComplete')).toHaveLength(3);
  });

  test('Data with IsComplete false is refused, as the framework refuses it', async () => {
    const { functions } = fakeFunctions({ OnEvent: () => ({}), IsComplete: () => ({ IsComplete: false, Data: { Early: 'x' } }) });
    await expect(customResources(functions).create(declaration(), provider({ isCompleteFunctionArn: arnOf('IsComplete') })))
      .rejects.toThrow('Message returned: "Data" is not allowed if "IsComplete" is "False"');
  });

  test('the runner\'s bound and the resource\'s ServiceTimeout stop the wait sooner', async () => {
    const { functions } = fakeFunctions({ OnEvent: () => ({}), IsComplete: () => ({ IsComplete: false }) });
    const slow = provider({ isCompleteFunctionArn: arnOf('IsComplete'), waiter: { intervalSeconds: 5, maxAttempts: 360, backoffRate: 1 } });
    await expect(customResources(functions, undefined, [], 3).create(declaration(), slow))
      .rejects.toThrow('Operation timed out (the local runner stopped waiting after 3 s)');
    await expect(customResources(functions).create(declaration({ ServiceTimeout: 4 }), slow))
      .rejects.toThrow('Operation timed out (the local runner stopped waiting after 4 s)');
  });
});

describe('Delete', () => {
  const created = {
    ...declaration({ Size: 2 }), provider: provider(), requestId: 'r', physicalId: 'claim-1', data: {}, attributes: {}, noEcho: false,
  };

  test('carries the PhysicalResourceId and the properties; an answer without an id keeps it', async () => {
    const { functions, calls } = fakeFunctions({ OnEvent: () => ({}) });
    await customResources(functions).delete(created);
    expect(calls[0].event).toMatchObject({
      RequestType: 'Delete', PhysicalResourceId: 'claim-1', ResourceProperties: { ServiceToken: arnOf('Framework'), Size: '2' }, LogicalResourceId: 'Claim',
    });
    expect(calls[0].event.RequestId).not.toBe('r');
  });

  test('may not change the PhysicalResourceId', async () => {
    const { functions } = fakeFunctions({ OnEvent: () => ({ PhysicalResourceId: 'other' }) });
    await expect(customResources(functions).delete(created)).rejects.toThrow(
      'Stack/Claim (Custom::Claim) DELETE_FAILED: Received response status [FAILED] from custom resource. Message returned: '
      + 'DELETE: cannot change the physical resource ID from "claim-1" to "other" during deletion');
  });
});

describe('providerFrameworkOf', () => {
  const framework = definition('Framework', {
    USER_ON_EVENT_FUNCTION_ARN: arnOf('OnEvent'), USER_IS_COMPLETE_FUNCTION_ARN: arnOf('IsComplete'), WAITER_STATE_MACHINE_ARN: 'arn:sm',
  });
  const stateMachine: ResolvedResource = {
    stackName: 'Stack',
    logicalId: 'Waiter',
    type: 'AWS::StepFunctions::StateMachine',
    physicalId: 'arn:sm',
    attributes: {},
    properties: { DefinitionString: JSON.stringify({ States: { task: { Type: 'Task', Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 7, BackoffRate: 1 }] } } }) },
  };

  test('a framework onEvent function: the user functions from its environment, the waiter schedule from its state machine', () => {
    const { functions } = fakeFunctions({}, [framework]);
    expect(providerFrameworkOf(arnOf('Framework'), functions, [stateMachine])).toEqual({
      provider: {
        frameworkFunction: framework,
        onEventFunctionArn: arnOf('OnEvent'),
        isCompleteFunctionArn: arnOf('IsComplete'),
        waiter: { intervalSeconds: 2, maxAttempts: 7, backoffRate: 1 },
      },
    });
  });

  test('anything else is not run, with the reason', () => {
    const { functions } = fakeFunctions({ Plain: () => undefined });
    expect(providerFrameworkOf(`arn:aws:sns:${REGION}:${ACCOUNT}:topic`, functions, [])).toEqual({ notRun: expect.stringMatching(/SNS topic/) });
    expect(providerFrameworkOf(arnOf('Missing'), functions, [])).toEqual({ notRun: `its ServiceToken ${arnOf('Missing')} is no function of the stacks` });
    expect(providerFrameworkOf(arnOf('Plain'), functions, [])).toEqual({ notRun: expect.stringMatching(/^its ServiceToken Plain is not the CDK Provider framework/) });
  });

  test('without a readable waiter definition: the Provider defaults (5 s, 30 minutes)', () => {
    expect(waiterSchedule(undefined)).toEqual({ intervalSeconds: 5, maxAttempts: 360, backoffRate: 1 });
    expect(waiterSchedule({ ...stateMachine, properties: { DefinitionString: '{not json' } })).toEqual({ intervalSeconds: 5, maxAttempts: 360, backoffRate: 1 });
  });
});
