import {
  ACCOUNT, createQueue, drain, FakeAccessControl, FakeFunctions, Grant, iotInvokePermission, jitrDemoRule, REGION, topicRule,
} from './support';
import { RuleEngineMessage, TopicRuleEngine } from '../../../../local/runner/iot-rules';
import { LambdaServiceError } from '../../../../local/runner/lambda/types';
import { LocalQueues } from '../../../../local/runner/sqs';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/rule-role`;
const TRACE_ID = '7e146a2c-95b5-6caf-98b9-50e3969734c7';

function setUp(grants: (queueArn: (name: string) => string) => Grant[] = () => []) {
  const queues = new LocalQueues();
  const target = createQueue(queues, 'target');
  const errors = createQueue(queues, 'errors');
  const arnOf = (name: string) => queues.byName(name)!.arn;
  const accessControl = new FakeAccessControl(grants(arnOf));
  const functions = new FakeFunctions();
  const log: Record<string, unknown>[] = [];
  const engine = new TopicRuleEngine({
    accountId: ACCOUNT, region: REGION, queues, functions, accessControl, log: (entry) => log.push(entry), now: () => 1234, traceId: () => TRACE_ID,
  });
  return { queues, target, errors, accessControl, functions, log, engine };
}

const sendTo = (url: string, extra: Record<string, unknown> = {}) => ({ Sqs: { QueueUrl: url, RoleArn: ROLE, UseBase64: false, ...extra } });
const allowSend = (...names: string[]) => (arnOf: (name: string) => string) =>
  names.map((name) => ({ principal: ROLE, action: 'sqs:SendMessage', resource: arnOf(name) }));
const events = (log: Record<string, unknown>[]) => log.map((entry) => entry.event);

describe('TopicRuleEngine with the JITR demo rule', () => {
  const event = {
    certificateId: 'a'.repeat(64),
    caCertificateId: 'b'.repeat(64),
    timestamp: 1_700_000_000_000,
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: ACCOUNT,
    certificateRegistrationTimestamp: null,
  };
  const registered: RuleEngineMessage = { topic: `$aws/events/certificates/registered/${'b'.repeat(64)}`, payload: Buffer.from(JSON.stringify(event)) };

  function jitr(dropGrant?: (grant: Grant) => boolean) {
    const queues = new LocalQueues();
    const buffer = createQueue(queues, 'JitrDemo-BufferQueue');
    const deadLetters = createQueue(queues, 'JitrDemo-BufferDeadLetterQueue');
    const { rule, roleArn, grants } = jitrDemoRule((logicalId) => (logicalId.includes('DeadLetter') ? deadLetters : buffer).url);
    const accessControl = new FakeAccessControl(grants.filter((grant) => !dropGrant?.(grant)));
    const log: Record<string, unknown>[] = [];
    const engine = new TopicRuleEngine({
      accountId: ACCOUNT, region: REGION, queues, functions: new FakeFunctions(), accessControl, log: (entry) => log.push(entry),
    });
    const added = engine.addRule(rule);
    return { buffer, deadLetters, roleArn, accessControl, engine, added, log };
  }

  test('loads with nothing unsupported', () => {
    const { added, engine } = jitr();
    expect(added).toEqual({
      name: 'JitrActivatorTopicRule', arn: `arn:aws:iot:${REGION}:${ACCOUNT}:rule/JitrActivatorTopicRule`, loaded: true, enabled: true, unsupported: [],
    });
    expect(engine.unsupported()).toEqual([]);
  });

  test('a certificate-registered event lands in the buffer queue as the event JSON, sent by the rule role', async () => {
    const { buffer, deadLetters, roleArn, accessControl, engine } = jitr();
    await engine.handle(registered);
    expect(drain(buffer).map((body) => JSON.parse(body))).toEqual([event]);
    expect(drain(deadLetters)).toEqual([]);
    expect(accessControl.requests).toEqual([{
      principal: { arn: roleArn, accountId: ACCOUNT }, action: 'sqs:SendMessage', resource: buffer.arn, resourcePolicy: undefined,
    }]);
  });

  test('a message on another topic does nothing', async () => {
    const { buffer, engine, log } = jitr();
    await engine.handle({ topic: '$aws/events/certificates/registered', payload: registered.payload });
    await engine.handle({ topic: 'devices/registered/x', payload: registered.payload, clientId: 'd' });
    expect(drain(buffer)).toEqual([]);
    expect(events(log)).toEqual(['rule-added']);
  });

  test('a role lacking sqs:SendMessage on the buffer: the error action puts the failure in the dead-letter queue', async () => {
    const { buffer, deadLetters, roleArn, engine, log } = jitr((grant) => grant.action === 'sqs:SendMessage' && grant.resource.endsWith(':JitrDemo-BufferQueue'));
    await engine.handle(registered);
    expect(drain(buffer)).toEqual([]);
    const [body, ...rest] = drain(deadLetters);
    expect(rest).toEqual([]);
    const failure = JSON.parse(body);
    expect(failure).toEqual({
      ruleName: 'JitrActivatorTopicRule',
      topic: registered.topic,
      cloudwatchTraceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      clientId: 'n/a',
      base64OriginalPayload: registered.payload.toString('base64'),
      failures: [{ failedAction: 'SqsAction', failedResource: buffer.url, errorMessage: expect.stringContaining('sqs:SendMessage') }],
    });
    expect(failure.failures[0].errorMessage).toContain(roleArn);
    expect(failure.failures[0].errorMessage).toContain('no identity-based policy allows');
    expect(log).toContainEqual(expect.objectContaining({
      event: 'rule-action-failed', rule: 'JitrActivatorTopicRule', action: 'SqsAction', reason: expect.stringContaining('not authorized'),
    }));
    expect(events(log)).toContain('rule-error-action-succeeded');
  });

  test('a role that can send to neither queue loses the message, and says so', async () => {
    const { buffer, deadLetters, engine, log } = jitr((grant) => grant.action === 'sqs:SendMessage');
    await engine.handle(registered);
    expect([...drain(buffer), ...drain(deadLetters)]).toEqual([]);
    expect(events(log).slice(-3)).toEqual(['rule-action-failed', 'rule-error-action-failed', 'rule-message-lost']);
  });
});

describe('TopicRuleEngine: Sqs actions', () => {
  test('UseBase64 sends the output base64-encoded', async () => {
    const { target, engine } = setUp(allowSend('target'));
    engine.addRule(topicRule('b64', { Sql: "SELECT temp FROM 'sensors/+'", Actions: [sendTo(target.url, { UseBase64: 'true' })] }));
    await engine.handle({ topic: 'sensors/s1', payload: Buffer.from('{"temp":21,"other":1}'), clientId: 's1' });
    expect(drain(target).map((body) => Buffer.from(body, 'base64').toString())).toEqual(['{"temp":21}']);
  });

  test('SELECT * on a payload that is not JSON sends the payload itself', async () => {
    const { target, engine } = setUp(allowSend('target'));
    engine.addRule(topicRule('raw', { Sql: "SELECT * FROM 'raw/#'", Actions: [sendTo(target.url)] }));
    await engine.handle({ topic: 'raw/a/b', payload: Buffer.from('plain text, not json') });
    expect(drain(target)).toEqual(['plain text, not json']);
  });

  test('WHERE and metadata functions shape what is sent', async () => {
    const { target, engine, log } = setUp(allowSend('target'));
    engine.addRule(topicRule('hot', {
      Sql: "SELECT temp, topic(2) AS device, clientid() AS client, timestamp() AS at FROM 'sensors/+' WHERE temp > 30",
      Actions: [sendTo(target.url)],
    }));
    await engine.handle({ topic: 'sensors/s1', payload: Buffer.from('{"temp":21}'), clientId: 's1' });
    await engine.handle({ topic: 'sensors/s2', payload: Buffer.from('{"temp":35}'), clientId: 's2' });
    await engine.handle({ topic: 'sensors/s3', payload: Buffer.from('{"humidity":35}'), clientId: 's3' });
    expect(drain(target).map((body) => JSON.parse(body))).toEqual([{ temp: 35, device: 's2', client: 's2', at: 1234 }]);
    expect(log.filter((entry) => entry.event === 'rule-skipped').map((entry) => entry.reason)).toEqual(['the WHERE clause is not true', 'the WHERE clause is not true']);
  });

  test('a missing queue fails the action; two failures make one error message listing both', async () => {
    const { target, errors, engine } = setUp(allowSend('errors'));
    const missing = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/missing`;
    engine.addRule(topicRule('two', { Sql: "SELECT * FROM 'a'", Actions: [sendTo(missing), sendTo(target.url)], ErrorAction: sendTo(errors.url) }));
    await engine.handle({ topic: 'a', payload: Buffer.from('{"x":1}'), clientId: 'c1' });
    const [body] = drain(errors);
    expect(JSON.parse(body)).toMatchObject({
      ruleName: 'two',
      clientId: 'c1',
      cloudwatchTraceId: TRACE_ID,
      base64OriginalPayload: Buffer.from('{"x":1}').toString('base64'),
      failures: [
        { failedAction: 'SqsAction', failedResource: missing, errorMessage: expect.stringContaining('does not exist') },
        { failedAction: 'SqsAction', failedResource: target.url, errorMessage: expect.stringContaining('not authorized') },
      ],
    });
  });

  test('an empty payload cannot become a message body: the action fails', async () => {
    const { target, errors, engine } = setUp(allowSend('target', 'errors'));
    engine.addRule(topicRule('empty', { Sql: "SELECT * FROM 'a'", Actions: [sendTo(target.url)], ErrorAction: sendTo(errors.url) }));
    await engine.handle({ topic: 'a', payload: Buffer.alloc(0) });
    expect(drain(target)).toEqual([]);
    expect(JSON.parse(drain(errors)[0]).failures[0].errorMessage).toContain('non-empty');
  });

  test('a queue policy is passed to the access check when the runner knows one', async () => {
    const { queues, target, accessControl } = setUp(allowSend('target'));
    const policy = { Statement: [{ Effect: 'Deny' as const, Principal: '*' as const, Action: 'sqs:SendMessage' }] };
    const engine = new TopicRuleEngine({
      accountId: ACCOUNT,
      region: REGION,
      queues,
      functions: new FakeFunctions(),
      accessControl,
      queuePolicy: (arn) => (arn === target.arn ? policy : undefined),
    });
    engine.addRule(topicRule('policy', { Sql: "SELECT * FROM 'a'", Actions: [sendTo(target.url)] }));
    await engine.handle({ topic: 'a', payload: Buffer.from('{}') });
    expect(accessControl.requests[0].resourcePolicy).toBe(policy);
  });
});

describe('TopicRuleEngine: Lambda actions', () => {
  const ruleArn = `arn:aws:iot:${REGION}:${ACCOUNT}:rule/toLambda`;

  test('with the function permission: invoked as iot.amazonaws.com with the SELECT output', async () => {
    const { functions, accessControl, engine, log } = setUp();
    const arn = functions.add('handler', { resourcePolicy: iotInvokePermission(ruleArn) });
    engine.addRule(topicRule('toLambda', { Sql: "SELECT temp AS t FROM 'a/#'", Actions: [{ Lambda: { FunctionArn: arn } }] }));
    await engine.handle({ topic: 'a/b', payload: Buffer.from('{"temp":5}') });
    expect(functions.invocations).toEqual([{ arn, event: { t: 5 } }]);
    expect(accessControl.requests).toEqual([{
      principal: { arn: 'iot.amazonaws.com', accountId: ACCOUNT, service: 'iot.amazonaws.com' },
      action: 'lambda:InvokeFunction',
      resource: arn,
      resourcePolicy: iotInvokePermission(ruleArn),
      context: { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT },
    }]);
    expect(log).toContainEqual(expect.objectContaining({ event: 'rule-action-succeeded', action: 'LambdaAction', resource: arn }));
  });

  test('without the permission (or one for another rule): not invoked, the error action gets a LambdaAction failure', async () => {
    const { functions, errors, engine } = setUp(allowSend('errors'));
    const arn = functions.add('handler', { resourcePolicy: iotInvokePermission(`arn:aws:iot:${REGION}:${ACCOUNT}:rule/other`) });
    engine.addRule(topicRule('toLambda', { Sql: "SELECT * FROM 'a'", Actions: [{ Lambda: { FunctionArn: arn } }], ErrorAction: sendTo(errors.url) }));
    await engine.handle({ topic: 'a', payload: Buffer.from('{"k":"v"}'), clientId: 'dev' });
    expect(functions.invocations).toEqual([]);
    expect(JSON.parse(drain(errors)[0]).failures).toEqual([{
      failedAction: 'LambdaAction', failedResource: arn, errorMessage: expect.stringMatching(/^AccessDeniedException: User: iot.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: /),
    }]);
  });

  test.each([
    ['a missing function', (): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:gone`, /ResourceNotFoundException/],
    ['a throttled invocation', (functions: FakeFunctions) => functions.add('busy', {
      resourcePolicy: iotInvokePermission(ruleArn),
      behaviour: async () => { throw new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.', 429); },
    }), /TooManyRequestsException: Rate Exceeded/],
  ])('%s fails the action', async (_label, makeFunction, message) => {
    const { functions, errors, engine, log } = setUp(allowSend('errors'));
    const arn = makeFunction(functions);
    engine.addRule(topicRule('toLambda', { Sql: "SELECT * FROM 'a'", Actions: [{ Lambda: { FunctionArn: arn } }], ErrorAction: sendTo(errors.url) }));
    await engine.handle({ topic: 'a', payload: Buffer.from('{}') });
    expect(JSON.parse(drain(errors)[0]).failures[0]).toEqual({ failedAction: 'LambdaAction', failedResource: arn, errorMessage: expect.stringMatching(message) });
    expect(log).toContainEqual(expect.objectContaining({ event: 'rule-action-failed', action: 'LambdaAction', reason: expect.stringMatching(message) }));
  });

  test('a function error after the invocation started does not trigger the error action', async () => {
    const { functions, errors, engine, log } = setUp(allowSend('errors'));
    const arn = functions.add('crashes', {
      resourcePolicy: iotInvokePermission(ruleArn),
      behaviour: async () => ({ payload: null, functionError: 'Unhandled', error: { errorType: 'Error', errorMessage: 'boom' }, logs: [] }),
    });
    engine.addRule(topicRule('toLambda', { Sql: "SELECT * FROM 'a'", Actions: [{ Lambda: { FunctionArn: arn } }], ErrorAction: sendTo(errors.url) }));
    await engine.handle({ topic: 'a', payload: Buffer.from('{}') });
    expect(drain(errors)).toEqual([]);
    expect(log).toContainEqual(expect.objectContaining({ event: 'rule-action-succeeded', functionError: 'Unhandled' }));
  });

  test('a Lambda error action receives the error payload as its event', async () => {
    const { functions, target, engine } = setUp();
    const arn = functions.add('on-error', { resourcePolicy: iotInvokePermission(ruleArn) });
    engine.addRule(topicRule('toLambda', { Sql: "SELECT * FROM 'a'", Actions: [sendTo(target.url)], ErrorAction: { Lambda: { FunctionArn: arn } } }));
    await engine.handle({ topic: 'a', payload: Buffer.from('{}') });
    expect(functions.invocations).toEqual([{ arn, event: expect.objectContaining({ ruleName: 'toLambda', failures: [expect.objectContaining({ failedAction: 'SqsAction' })] }) }]);
  });

  test('a binary payload cannot be a Lambda event', async () => {
    const { functions, engine, log } = setUp();
    const arn = functions.add('handler', { resourcePolicy: iotInvokePermission(ruleArn) });
    engine.addRule(topicRule('toLambda', { Sql: "SELECT * FROM 'a'", Actions: [{ Lambda: { FunctionArn: arn } }] }));
    await engine.handle({ topic: 'a', payload: Buffer.from([0xde, 0xad]) });
    expect(functions.invocations).toEqual([]);
    expect(events(log).slice(-2)).toEqual(['rule-action-failed', 'rule-message-lost']);
  });
});

describe('TopicRuleEngine: what it will not run', () => {
  test('a disabled rule is loaded but never acts', async () => {
    const { target, engine, log } = setUp(allowSend('target'));
    expect(engine.addRule(topicRule('off', { Sql: "SELECT * FROM 'a'", Actions: [sendTo(target.url)], RuleDisabled: 'true' }))).toMatchObject({ loaded: true, enabled: false });
    await engine.handle({ topic: 'a', payload: Buffer.from('{}') });
    expect(drain(target)).toEqual([]);
    expect(log).toContainEqual({ event: 'rule-skipped', rule: 'off', topic: 'a', reason: 'the rule is disabled' });
  });

  test('unmodelled actions are reported in a sentence; the modelled ones still run', async () => {
    const { target, engine } = setUp(allowSend('target'));
    const added = engine.addRule(topicRule('mixed', {
      Sql: "SELECT * FROM 'a'",
      Actions: [{ Republish: { Topic: 'b', RoleArn: ROLE } }, sendTo(target.url), { DynamoDBv2: { PutItem: { TableName: 't' } } }],
      ErrorAction: { CloudwatchLogs: { LogGroupName: 'g', RoleArn: ROLE } },
    }));
    expect(added.loaded).toBe(true);
    expect(added.unsupported).toEqual([
      'Topic rule mixed (RulesTest/mixedRule): the Republish action is not modelled locally (only Sqs, Lambda and S3 are), so that action will not run',
      'Topic rule mixed (RulesTest/mixedRule): the DynamoDBv2 action is not modelled locally (only Sqs, Lambda and S3 are), so that action will not run',
      'Topic rule mixed (RulesTest/mixedRule): as its error action, the CloudwatchLogs action is not modelled locally (only Sqs, Lambda and S3 are), '
        + 'so failed messages are only logged',
    ]);
    expect(engine.unsupported()).toEqual(added.unsupported);
    await engine.handle({ topic: 'a', payload: Buffer.from('{"n":1}') });
    expect(drain(target)).toEqual(['{"n":1}']);
  });

  test.each([
    ["SELECT upper(name) AS n FROM 'a'", /its SQL is not supported locally, so the rule will not run: IoT SQL the function upper\(\) is not supported/],
    ["SELECT * FROM 'a' WHERE a LIKE 'x'", /IoT SQL LIKE is not supported/],
  ])('a rule whose SQL is outside the subset is not loaded: %s', async (sql, sentence) => {
    const { target, engine } = setUp(allowSend('target'));
    const added = engine.addRule(topicRule('fancy', { Sql: sql, Actions: [sendTo(target.url)] }));
    expect(added.loaded).toBe(false);
    expect(engine.unsupported()).toEqual([expect.stringMatching(sentence)]);
    await engine.handle({ topic: 'a', payload: Buffer.from('{"name":"x"}') });
    expect(drain(target)).toEqual([]);
  });

  test('an action missing its settings is reported; a rule without a SQL version (2015-10-08) still loads', () => {
    const { engine } = setUp();
    const added = engine.addRule(topicRule('partial', {
      Sql: "SELECT * FROM 'a'", AwsIotSqlVersion: undefined, Actions: [{ Sqs: { QueueUrl: 'u' } }, { Lambda: {} }],
    }));
    expect(added.loaded).toBe(true);
    expect(added.unsupported).toEqual([
      'Topic rule partial (RulesTest/partialRule): the Sqs action lacks a QueueUrl or RoleArn, so that action will not run',
      'Topic rule partial (RulesTest/partialRule): the Lambda action lacks a FunctionArn, so that action will not run',
    ]);
  });

  test('a message the SELECT cannot shape is logged, not acted on', async () => {
    const { target, engine, log } = setUp(allowSend('target'));
    engine.addRule(topicRule('merge', { Sql: "SELECT *, topic() AS t FROM 'a'", Actions: [sendTo(target.url)] }));
    await engine.handle({ topic: 'a', payload: Buffer.from('not json') });
    expect(drain(target)).toEqual([]);
    expect(log).toContainEqual({ event: 'rule-sql-failed', rule: 'merge', topic: 'a', reason: 'SELECT * with other items needs a payload that is a JSON object' });
  });

  test('SQL version beta is not modelled', () => {
    const { engine } = setUp();
    expect(engine.addRule(topicRule('beta', { Sql: "SELECT * FROM 'a'", AwsIotSqlVersion: 'beta', Actions: [] })).unsupported)
      .toEqual(['Topic rule beta (RulesTest/betaRule): SQL version beta is not modelled locally, so the rule will not run']);
  });

  test('a resource of another type is refused', () => {
    const { engine } = setUp();
    expect(() => engine.addRule({ ...topicRule('x', {}), type: 'AWS::SQS::Queue' })).toThrow(/not an AWS::IoT::TopicRule/);
  });
});

describe('TopicRuleEngine.attach', () => {
  test('runs rules on the gateway\'s messages until detached; idle() waits for actions in flight', async () => {
    const { functions, engine } = setUp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const arn = functions.add('slow', {
      resourcePolicy: iotInvokePermission(`arn:aws:iot:${REGION}:${ACCOUNT}:rule/slow`),
      behaviour: async () => { await gate; return { payload: null, logs: [] }; },
    });
    engine.addRule(topicRule('slow', { Sql: "SELECT * FROM 'devices/#'", Actions: [{ Lambda: { FunctionArn: arn } }] }));

    const listeners = new Set<(message: RuleEngineMessage) => void>();
    const gateway = {
      onMessage(listener: (message: RuleEngineMessage) => void) {
        listeners.add(listener);
        return () => { listeners.delete(listener); };
      },
    };
    const publish = (message: RuleEngineMessage) => listeners.forEach((listener) => listener(message));

    const detach = engine.attach(gateway);
    publish({ topic: 'devices/d1', payload: Buffer.from('{"n":1}'), clientId: 'd1' });
    let idle = false;
    const waiting = engine.idle().then(() => { idle = true; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    release();
    await waiting;
    expect(functions.invocations).toEqual([{ arn, event: { n: 1 } }]);

    detach();
    publish({ topic: 'devices/d1', payload: Buffer.from('{"n":2}'), clientId: 'd1' });
    await engine.idle();
    expect(functions.invocations).toHaveLength(1);
    expect(listeners.size).toBe(0);
  });
});
