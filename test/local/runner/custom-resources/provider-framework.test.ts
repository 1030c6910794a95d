/**
 * Custom resources of the CDK Provider framework on the stack runner: a synthesized stack whose
 * onEvent function (inline code, its own role) writes each request to the stack's bucket. Create
 * runs once per resource, in dependency order, after everything else; the answer is the resource's
 * Ref and attributes, which outputs and a function's environment see; isComplete is polled on the
 * waiter's schedule; deleteStacks sends Delete in reverse order.
 */
import { Aws, CfnOutput, CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IS_COMPLETE, ON_EVENT, inlineFunction, removeScratch, startRunner, storedObjects, synthesize } from './support';
import type { RunningStacks } from '../../../../local/runner/stack-runner';

const STACK = 'CrStack';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let runner: RunningStacks;

beforeAll(async () => {
  const outdir = synthesize(STACK, (stack) => {
    const bucket = new s3.Bucket(stack, 'Store');
    const onEvent = inlineFunction(stack, 'OnEvent', ON_EVENT, { BUCKET: bucket.bucketName });
    const isComplete = inlineFunction(stack, 'IsComplete', IS_COMPLETE, { BUCKET: bucket.bucketName });
    bucket.grantReadWrite(onEvent);
    bucket.grantReadWrite(isComplete);
    const provider = new cr.Provider(stack, 'Provider', { onEventHandler: onEvent });
    const waiting = new cr.Provider(stack, 'WaitingProvider', { onEventHandler: onEvent, isCompleteHandler: isComplete, queryInterval: Duration.seconds(1) });
    const first = new CustomResource(stack, 'First', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::Thing',
      properties: { Name: 'alpha', Count: 3, Enabled: true, Nested: { List: [1, 'x'] } },
    });
    // Third comes before Second in the template, but depends on it.
    const third = new CustomResource(stack, 'Third', { serviceToken: provider.serviceToken, properties: { Name: 'gamma' } });
    const second = new CustomResource(stack, 'Second', {
      serviceToken: provider.serviceToken, resourceType: 'Custom::Thing', properties: { Name: 'beta', Upstream: first.getAttString('Name') },
    });
    third.node.addDependency(second);
    new CustomResource(stack, 'Kept', { serviceToken: provider.serviceToken, properties: { Name: 'kept' }, removalPolicy: RemovalPolicy.RETAIN });
    const polled = new CustomResource(stack, 'Polled', { serviceToken: waiting.serviceToken, properties: { Name: 'polled' } });
    inlineFunction(stack, 'Reader', 'exports.handler = async () => ({ thing: process.env.THING, before: process.env.BEFORE });', {
      THING: first.getAttString('Name'), BEFORE: second.getAttString('Before'),
    });
    new CfnOutput(stack, 'FirstName', { value: first.getAttString('Name') });
    new CfnOutput(stack, 'FirstRef', { value: first.ref });
    new CfnOutput(stack, 'PolledPolls', { value: polled.getAttString('Polls') });
    new CfnOutput(stack, 'StackId', { value: Aws.STACK_ID });
  });
  runner = await startRunner(outdir);
}, 120_000);

afterAll(async () => {
  await runner?.close();
  removeScratch();
});

function frameworkArn(prefix: string): string {
  const fn = runner.resourcesOfType('AWS::Lambda::Function').find((candidate) => candidate.logicalId.startsWith(prefix));
  if (!fn) throw new Error(`no function ${prefix}`);
  return fn.attributes.Arn;
}

describe('at start-up', () => {
  test('each custom resource got one Create request, in dependency order, with the event CloudFormation sends', async () => {
    const events = await storedObjects(runner, 'events/Create/');
    expect(events.map((event) => event.LogicalResourceId)).toEqual(['First', 'Second', 'Third', 'Kept', 'Polled']);
    const serviceToken = frameworkArn('ProviderframeworkonEvent');
    const stackId = runner.stacks[0].outputs.StackId;
    expect(stackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/CrStack\/[0-9a-f-]{36}$/);
    expect(events[0]).toEqual({
      RequestType: 'Create',
      ServiceToken: serviceToken,
      ResponseURL: expect.stringMatching(/^https:\/\/cloudformation-custom-resource-response-useast1\.s3\.us-east-1\.amazonaws\.com\/arn%3Aaws%3Acloudformation%3A.*%7CFirst%7C/),
      StackId: stackId,
      RequestId: expect.stringMatching(UUID),
      LogicalResourceId: 'First',
      ResourceType: 'Custom::Thing',
      // CloudFormation turns numbers and booleans into strings; ServiceToken is among the properties.
      ResourceProperties: { ServiceToken: serviceToken, Name: 'alpha', Count: '3', Enabled: 'true', Nested: { List: ['1', 'x'] } },
    });
    expect(events[0].ResponseURL).toContain(encodeURIComponent(`|First|${events[0].RequestId}`));
    // Second's properties refer to First's answer; Third is of the generic type.
    expect(events[1].ResourceProperties.Upstream).toBe('alpha');
    expect(events[2].ResourceType).toBe('AWS::CloudFormation::CustomResource');
    expect(new Set(events.map((event) => event.RequestId)).size).toBe(5);
  });

  test('the answer is the resource: PhysicalResourceId its Ref, Data its attributes, in outputs and in a function environment', async () => {
    const first = runner.resource(STACK, 'First');
    expect(first.physicalId).toBe('thing-alpha');
    expect(first.attributes).toEqual({ Name: 'alpha', Before: '0' });
    expect(runner.resource(STACK, 'Third').attributes.Before).toBe('2');
    expect(runner.stacks[0].outputs).toMatchObject({ FirstName: 'alpha', FirstRef: 'thing-alpha', PolledPolls: '3' });
    const reader = runner.resourcesOfType('AWS::Lambda::Function').find((fn) => fn.logicalId.startsWith('Reader'))!;
    const result = await runner.functions.invoke(reader.physicalId, {});
    expect(result.payload).toEqual({ thing: 'alpha', before: '1' });
  });

  test('isComplete is polled on the waiter schedule with the onEvent answer, and its Data joins the answer', async () => {
    const polls = await storedObjects(runner, 'polls/Create/');
    expect(polls).toHaveLength(3);
    for (const poll of polls) {
      expect(poll).toMatchObject({ RequestType: 'Create', LogicalResourceId: 'Polled', PhysicalResourceId: 'thing-polled', Data: { Name: 'polled', Before: 4 } });
    }
    expect(runner.resource(STACK, 'Polled').attributes).toEqual({ Name: 'polled', Before: '4', Polls: '3' });
  });

  test('the framework function is stood in for, and says so once; custom resources are not listed as unknown types', () => {
    const framework = runner.notRun.filter((sentence) => sentence.includes("the CDK Provider framework's onEvent function is not run"));
    expect(framework).toHaveLength(2);
    expect(framework[0]).toMatch(/^CrStack\/ProviderframeworkonEvent[0-9A-F]+: .*presigned S3 URL/);
    expect(runner.notRun.filter((sentence) => /Custom::Thing|AWS::CloudFormation::CustomResource/.test(sentence))).toEqual([]);
  });
});

describe('deleteStacks', () => {
  let report: Awaited<ReturnType<RunningStacks['deleteStacks']>>;

  beforeAll(async () => {
    report = await runner.deleteStacks();
  }, 60_000);

  test('sends Delete in reverse creation order, with the PhysicalResourceId and the properties of the Create', async () => {
    const events = await storedObjects(runner, 'events/Delete/');
    expect(events.map((event) => event.LogicalResourceId)).toEqual(['Polled', 'Third', 'Second', 'First']);
    const creates = await storedObjects(runner, 'events/Create/');
    const firstCreate = creates.find((event) => event.LogicalResourceId === 'First')!;
    const firstDelete = events.find((event) => event.LogicalResourceId === 'First')!;
    expect(firstDelete).toMatchObject({
      RequestType: 'Delete', PhysicalResourceId: 'thing-alpha', ResourceProperties: firstCreate.ResourceProperties, StackId: firstCreate.StackId,
    });
    expect(firstDelete.RequestId).not.toBe(firstCreate.RequestId);
    // Delete goes through isComplete too.
    expect(await storedObjects(runner, 'polls/Delete/')).toHaveLength(3);
  });

  test('reports what it deleted and what DeletionPolicy Retain kept; a second call has nothing left to do', async () => {
    expect(report.deleted.map((resource) => `${resource.logicalId}:${resource.physicalId}`))
      .toEqual(['Polled:thing-polled', 'Third:thing-gamma', 'Second:thing-beta', 'First:thing-alpha']);
    expect(report.retained.map((resource) => resource.logicalId)).toEqual(['Kept']);
    expect(report.failed).toEqual([]);
    expect(await runner.deleteStacks()).toEqual({ deleted: [], retained: [], failed: [] });
  });
});
