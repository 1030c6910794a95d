/**
 * The stack runner on a small synthesized stack of its own: functions reach the local services
 * through the AWS_ENDPOINT_URL_* variables with their role's credentials, and a call the role's
 * policy does not allow is refused as AWS refuses it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { startStackRunner, type RunningStacks } from '../../../local/runner/stack-runner';

/** Sends the event's text to the queue in QUEUE_URL with @aws-sdk/client-sqs, as a user's handler would. */
const SENDER = `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: event.text }));
  return { messageId: sent.MessageId, queueUrl: process.env.QUEUE_URL };
};
`;

let runner: RunningStacks;
const scratch: string[] = [];

beforeAll(async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'runner-stack-'));
  scratch.push(outdir);
  const app = new App({ outdir });
  const stack = new Stack(app, 'SenderStack');
  const queue = new sqs.Queue(stack, 'Inbox', { visibilityTimeout: Duration.seconds(30) });
  const sender = (id: string) => new lambda.Function(stack, id, {
    code: lambda.Code.fromInline(SENDER),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    environment: { QUEUE_URL: queue.queueUrl },
  });
  queue.grantSendMessages(sender('Granted'));
  sender('NotGranted');
  app.synth();
  const state = mkdtempSync(join(tmpdir(), 'runner-state-'));
  scratch.push(state);
  runner = await startStackRunner({ cloudAssemblies: [outdir], stateDirectory: state, rateLimits: false });
}, 120_000);

afterAll(async () => {
  await runner?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function functionNamed(prefix: string): string {
  const fn = runner.resourcesOfType('AWS::Lambda::Function').find((candidate) => candidate.logicalId.startsWith(prefix));
  if (!fn) throw new Error(`no function ${prefix}`);
  return fn.physicalId;
}

test('a function whose role is granted sqs:SendMessage sends to the queue its environment names', async () => {
  const result = await runner.functions.invoke(functionNamed('Granted'), { text: 'hello' });
  expect(result.functionError).toBeUndefined();
  const inbox = runner.queues.list()[0];
  // Ref of the queue is its URL on the local SQS endpoint, so the SDK's calls stay local.
  expect(result.payload).toMatchObject({ queueUrl: `${runner.endpoints.SQS}/${runner.accountId}/${inbox.name}` });
  expect(inbox.receive(10).map((message) => message.body)).toEqual(['hello']);
});

test('a function whose role is not granted is refused with AccessDenied, and nothing is sent', async () => {
  const result = await runner.functions.invoke(functionNamed('NotGranted'), { text: 'intruder' });
  expect(result.functionError).toBe('Unhandled');
  expect(result.error?.errorMessage).toMatch(/is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:SenderStack-Inbox/);
  expect(runner.queues.list()[0].approximateNumberOfMessages()).toBe(0);
});
