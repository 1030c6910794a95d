import type { SQSEvent } from 'aws-lambda';
import { ACCOUNT, byLogicalId, inlineFunction, lambdaRole, REGION, removeTemporaryDirectories, resolved, trackInlineCode } from './support';
import type { CfnTemplateResource } from '../../../../local/runner/assembly';
import { functionsFromTemplate } from '../../../../local/runner/deploy/functions-from-template';
import { loadIamFromTemplate } from '../../../../local/runner/deploy/iam-from-template';
import { createEventSourceMappings, createQueues } from '../../../../local/runner/deploy/queues-from-template';
import type { ResolvedStack } from '../../../../local/runner/deploy/resolve-stack';
import { LocalIam } from '../../../../local/runner/iam';
import type { InvokeResult, LocalFunctionDefinition, LocalFunctionInvoker } from '../../../../local/runner/lambda';
import { LocalQueues, ManualClock } from '../../../../local/runner/sqs';

afterAll(removeTemporaryDirectories);

const SQS_EXECUTION_ROLE = 'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole';

/** The functions of the stack, answering with `respond` and recording the events they get (LocalFunctions would start workers). */
class RecordingInvoker implements LocalFunctionInvoker {
  readonly events: { functionArn: string; event: SQSEvent }[] = [];
  constructor(private readonly definitions: readonly LocalFunctionDefinition[], private readonly respond: (event: SQSEvent) => InvokeResult) {}

  find(nameOrArn: string): LocalFunctionDefinition | undefined {
    return this.definitions.find((fn) => fn.functionName === nameOrArn || fn.functionArn === nameOrArn || nameOrArn.endsWith(`:function:${fn.functionName}`));
  }

  async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.find(nameOrArn)!;
    this.events.push({ functionArn: fn.functionArn, event: event as SQSEvent });
    return this.respond(event as SQSEvent);
  }
}

const succeed = (): InvokeResult => ({ payload: null, logs: [] });

function deployQueues(stack: ResolvedStack, respond: (event: SQSEvent) => InvokeResult = succeed) {
  const clock = new ManualClock(1_700_000_000_000);
  const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
  loadIamFromTemplate(iam, stack.resources);
  const queues = new LocalQueues(clock);
  const notRun = createQueues(queues, stack.resources);
  const functions = new RecordingInvoker(trackInlineCode(functionsFromTemplate(stack, iam)), respond);
  const mappings = () => createEventSourceMappings(stack.resources, queues, functions, iam, ACCOUNT, clock);
  return { clock, iam, queues, notRun, functions, mappings };
}

const mapping = (properties: Record<string, unknown> = {}): CfnTemplateResource => ({
  Type: 'AWS::Lambda::EventSourceMapping',
  Properties: { EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, FunctionName: { Ref: 'Fn' }, ...properties },
});

describe('createQueues', () => {
  test('creates each queue under its URL, ARN and name, with visibility timeout, retention and redrive to its dead-letter queue', () => {
    const stack = resolved({
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 360,
          MessageRetentionPeriod: '1209600',
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: '5' },
        },
      },
      Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'dead-letters' } },
    });
    const { queues, notRun } = deployQueues(stack);
    expect(notRun).toEqual([]);
    const resource = byLogicalId(stack, 'Queue');
    const queue = queues.byUrl(resource.physicalId)!;
    expect(queue).toBeDefined();
    expect(queues.byArn(resource.attributes.Arn)).toBe(queue);
    expect(queue.name).toBe(resource.attributes.QueueName);
    expect(queue.visibilityTimeoutSeconds).toBe(360);
    expect(queue.messageRetentionSeconds).toBe(1209600);
    expect(queue.deadLetter).toEqual({ targetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dead-letters`, maxReceiveCount: 5 });
    const dlq = queues.byName('dead-letters')!;
    expect(dlq.url).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/dead-letters`);
    expect(dlq.deadLetter).toBeUndefined();
    expect(dlq.visibilityTimeoutSeconds).toBe(30);
  });

  test('a redrive policy given as a JSON string (as CloudFormation accepts it) is honoured', () => {
    const stack = resolved({
      Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'dlq' } },
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { RedrivePolicy: { 'Fn::Sub': '{"deadLetterTargetArn":"${Dlq.Arn}","maxReceiveCount":3}' } },
      },
    });
    const queue = deployQueues(stack).queues.byArn(byLogicalId(stack, 'Queue').attributes.Arn)!;
    expect(queue.deadLetter).toEqual({ targetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq`, maxReceiveCount: 3 });
  });

  test('messages received maxReceiveCount times move to the dead-letter queue', () => {
    const stack = resolved({
      Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 10, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 2 } } },
    });
    const { queues, clock } = deployQueues(stack);
    const queue = queues.byArn(byLogicalId(stack, 'Queue').attributes.Arn)!;
    const dlq = queues.byArn(byLogicalId(stack, 'Dlq').attributes.Arn)!;
    queue.send('poison');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(queue.receive(1)).toHaveLength(1);
      clock.advance(10_000);
    }
    expect(queue.receive(1)).toEqual([]);
    expect(dlq.receive(1).map((message) => message.body)).toEqual(['poison']);
  });

  test('FIFO queues are reported, not created', () => {
    const stack = resolved({
      Fifo: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true, QueueName: 'orders.fifo' } },
      FifoText: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: 'true' } },
      Standard: { Type: 'AWS::SQS::Queue', Properties: {} },
    });
    const { queues, notRun } = deployQueues(stack);
    expect(notRun).toEqual([
      'TestStack/Fifo: FIFO queues are not modelled locally',
      'TestStack/FifoText: FIFO queues are not modelled locally',
    ]);
    expect(queues.list().map((queue) => queue.arn)).toEqual([byLogicalId(stack, 'Standard').attributes.Arn]);
  });
});

describe('createEventSourceMappings', () => {
  test('a mapping whose role may read the queue polls it in batches of BatchSize and deletes what the function processed', async () => {
    const stack = resolved({
      Role: lambdaRole([], { ManagedPolicyArns: [SQS_EXECUTION_ROLE] }),
      Fn: inlineFunction('Role'),
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Esm: mapping({ BatchSize: 2 }),
    });
    const { queues, functions, mappings } = deployQueues(stack);
    const pollers = mappings();
    expect(pollers).toHaveLength(1);
    const queue = queues.byArn(byLogicalId(stack, 'Queue').attributes.Arn)!;
    for (const body of ['a', 'b', 'c']) queue.send(body);
    pollers[0].start();
    try {
      await pollers[0].drained();
    } finally {
      await pollers[0].stop();
    }
    const fnArn = byLogicalId(stack, 'Fn').attributes.Arn;
    expect(functions.events.every((call) => call.functionArn === fnArn)).toBe(true);
    expect(functions.events.map((call) => call.event.Records.length).sort()).toEqual([1, 2]);
    expect(functions.events.flatMap((call) => call.event.Records.map((record) => record.body)).sort()).toEqual(['a', 'b', 'c']);
    expect(functions.events[0].event.Records[0].eventSourceARN).toBe(queue.arn);
    expect(queue.approximateNumberOfMessages() + queue.approximateNumberOfMessagesNotVisible()).toBe(0);
  });

  test('a function error leaves the batch on the queue', async () => {
    const stack = resolved({
      Role: lambdaRole([{ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }]),
      Fn: inlineFunction('Role'),
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } },
      Esm: mapping(),
    });
    const failing = (): InvokeResult => ({
      payload: { errorType: 'Error', errorMessage: 'boom' }, functionError: 'Unhandled', error: { errorType: 'Error', errorMessage: 'boom' }, logs: [],
    });
    const { queues, functions, mappings } = deployQueues(stack, failing);
    const [poller] = mappings();
    const queue = queues.byArn(byLogicalId(stack, 'Queue').attributes.Arn)!;
    queue.send('x');
    poller.start();
    try {
      for (let tick = 0; tick < 50 && functions.events.length === 0; tick += 1) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await poller.stop();
    }
    expect(functions.events).toHaveLength(1);
    expect(queue.approximateNumberOfMessagesNotVisible()).toBe(1);
  });

  test.each([
    ['sqs:ReceiveMessage', 'ReceiveMessage'],
    ['sqs:DeleteMessage', 'DeleteMessage'],
    ['sqs:GetQueueAttributes', 'GetQueueAttributes'],
  ])('a role without %s is refused as CreateEventSourceMapping refuses it', (missing, operation) => {
    const actions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].filter((action) => action !== missing);
    const stack = resolved({
      Role: lambdaRole([{ Effect: 'Allow', Action: actions, Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }]),
      Fn: inlineFunction('Role'),
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Esm: mapping(),
    });
    const roleArn = byLogicalId(stack, 'Role').attributes.Arn;
    const queueArn = byLogicalId(stack, 'Queue').attributes.Arn;
    expect(() => deployQueues(stack).mappings()).toThrow(
      `TestStack/Esm: The function execution role does not have permissions to call ${operation} on SQS (User: ${roleArn} is not authorized to perform: `
      + `${missing} on resource: ${queueArn}`,
    );
  });

  test('permissions on another queue do not count', () => {
    const stack = resolved({
      Role: lambdaRole([{ Effect: 'Allow', Action: 'sqs:*', Resource: { 'Fn::GetAtt': ['Other', 'Arn'] } }]),
      Fn: inlineFunction('Role'),
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Other: { Type: 'AWS::SQS::Queue', Properties: {} },
      Esm: mapping(),
    });
    expect(() => deployQueues(stack).mappings()).toThrow(/does not have permissions to call ReceiveMessage on SQS/);
  });

  test('a disabled mapping makes no poller, and is not checked', () => {
    const stack = resolved({
      Role: lambdaRole(),
      Fn: inlineFunction('Role'),
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Off: mapping({ Enabled: false }),
      OffText: mapping({ Enabled: 'false' }),
    });
    expect(deployQueues(stack).mappings()).toEqual([]);
  });

  test('a source that is not a queue of the stack, or a function that is not in it, fails', () => {
    const base = { Role: lambdaRole([], { ManagedPolicyArns: [SQS_EXECUTION_ROLE] }), Fn: inlineFunction('Role'), Queue: { Type: 'AWS::SQS::Queue', Properties: {} } };
    const stream = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/s`;
    expect(() => deployQueues(resolved({ ...base, Esm: mapping({ EventSourceArn: stream }) })).mappings())
      .toThrow(`TestStack/Esm: event source ${stream} is not a queue of the stack (only SQS sources run locally)`);
    expect(() => deployQueues(resolved({ ...base, Esm: mapping({ FunctionName: 'elsewhere' }) })).mappings())
      .toThrow('TestStack/Esm: function elsewhere is not in the stack');
  });

  test('the mapping settings are checked as Lambda checks them (BatchSize 1..10)', () => {
    const stack = resolved({
      Role: lambdaRole([], { ManagedPolicyArns: [SQS_EXECUTION_ROLE] }),
      Fn: inlineFunction('Role'),
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Esm: mapping({ BatchSize: 11 }),
    });
    expect(() => deployQueues(stack).mappings()).toThrow(/BatchSize/);
  });
});
