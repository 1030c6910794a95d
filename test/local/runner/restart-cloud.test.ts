/**
 * RunningStacks.restartCloud: AWS IoT (control plane and MQTT gateway) closes and starts again on the same
 * ports and state directory while the stacks keep running. Functions reach the same endpoint and find the
 * registry as it was; topic rules see the new gateway's messages; a call made while it is down fails as a
 * call to an unreachable endpoint does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { startStackRunner, type RunningStacks } from '../../../local/runner/stack-runner';

/** Lists the registry's things through AWS_ENDPOINT_URL_IOT, with one attempt (no retries), as a user's handler would. */
const LISTER = `
const { IoTClient, ListThingsCommand } = require('@aws-sdk/client-iot');
const iot = new IoTClient({ maxAttempts: 1 });
exports.handler = async () => {
  const listed = await iot.send(new ListThingsCommand({}));
  return listed.things.map((thing) => thing.thingName);
};
`;

let runner: RunningStacks;
const scratch: string[] = [];

beforeAll(async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'restart-cloud-stack-'));
  scratch.push(outdir);
  const app = new App({ outdir });
  const stack = new Stack(app, 'RestartStack');
  const lister = new lambda.Function(stack, 'Lister', {
    code: lambda.Code.fromInline(LISTER), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X, timeout: Duration.seconds(10),
  });
  lister.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:ListThings'], resources: ['*'] }));
  const inbox = new sqs.Queue(stack, 'Inbox');
  const ruleRole = new iam.Role(stack, 'RuleRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
  inbox.grantSendMessages(ruleRole);
  new iot.CfnTopicRule(stack, 'Forward', {
    topicRulePayload: { sql: "SELECT * FROM 'restart/test'", awsIotSqlVersion: '2016-03-23', actions: [{ sqs: { queueUrl: inbox.queueUrl, roleArn: ruleRole.roleArn } }] },
  });
  app.synth();
  const state = mkdtempSync(join(tmpdir(), 'restart-cloud-state-'));
  scratch.push(state);
  runner = await startStackRunner({ cloudAssemblies: [outdir], stateDirectory: state, rateLimits: false });
}, 120_000);

afterAll(async () => {
  await runner?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function listerName(): string {
  return runner.resourcesOfType('AWS::Lambda::Function').find((fn) => fn.logicalId.startsWith('Lister'))!.physicalId;
}

test('after a restart: the same endpoints, the registry as it was, rules on the new gateway; down meanwhile', async () => {
  await runner.cloud.model.createThing({ thingName: 'before-restart' });
  const endpoints = { iot: runner.cloud.controlPlaneUrl, mqtt: runner.cloud.mqtt.port };
  const before = runner.cloud;

  const restarting = runner.restartCloud(1500);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const duringDowntime = await runner.functions.invoke(listerName(), {});
  await restarting;

  expect(duringDowntime.functionError).toBe('Unhandled');
  expect(duringDowntime.error?.errorMessage).toMatch(/ECONNREFUSED/);
  expect(runner.cloud).not.toBe(before);
  expect(runner.cloud.restoredRegistry).toBe(true);
  expect({ iot: runner.cloud.controlPlaneUrl, mqtt: runner.cloud.mqtt.port }).toEqual(endpoints);
  const listed = await runner.functions.invoke(listerName(), {});
  expect(listed.payload).toEqual(['before-restart']);

  await runner.cloud.mqtt.publish('restart/test', JSON.stringify({ after: 'restart' }));
  await runner.rules.idle();
  const inbox = runner.queues.list().find((queue) => queue.name.includes('Inbox'))!;
  expect(inbox.receive(10).map((message) => JSON.parse(message.body))).toEqual([{ after: 'restart' }]);
});
