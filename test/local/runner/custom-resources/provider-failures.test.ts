/**
 * What stops start-up as CREATE_FAILED stops a stack, with the stack, the resource and the reason
 * CloudFormation would show; and the custom resources the runner does not run.
 */
import { CfnOutput, CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IS_COMPLETE, ON_EVENT, inlineFunction, removeScratch, startRunner, synthesize } from './support';

afterAll(() => removeScratch());

/** A stack with a bucket, the onEvent function (granted read and write unless `readOnly`) and a Provider around it. */
function providerStack(stackName: string, build: (provider: cr.Provider) => void, readOnly = false): string {
  return synthesize(stackName, (stack) => {
    const bucket = new s3.Bucket(stack, 'Store');
    const onEvent = inlineFunction(stack, 'OnEvent', ON_EVENT, { BUCKET: bucket.bucketName });
    if (readOnly) bucket.grantRead(onEvent);
    else bucket.grantReadWrite(onEvent);
    build(new cr.Provider(stack, 'Provider', { onEventHandler: onEvent }));
  });
}

const REQUEST_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

test('the onEvent function runs as its role: without s3:PutObject the Create fails with the AccessDenied message', async () => {
  const outdir = providerStack('CrDenied', (provider) => {
    new CustomResource(provider, 'Thing', { serviceToken: provider.serviceToken, resourceType: 'Custom::Thing', properties: { Name: 'a' } });
  }, true);
  await expect(startRunner(outdir)).rejects.toThrow(new RegExp(
    '^CrDenied/ProviderThing[0-9A-F]+ \\(Custom::Thing\\) CREATE_FAILED: Received response status \\[FAILED\\] from custom resource. Message returned: '
    + 'User: arn:aws:iam::123456789012:role/CrDenied-OnEventServiceRole\\S+ is not authorized to perform: s3:PutObject on resource: '
    + 'arn:aws:s3:::crdenied-store\\S+/events/Create/000-ProviderThing[0-9A-F]+\\.json because no identity-based policy allows the s3:PutObject action'
    + `\\n\\nLogs: /aws/lambda/CrDenied-OnEvent\\S+\\n \\(RequestId: ${REQUEST_ID}\\)$`,
  ));
}, 60_000);

test('a handler that throws fails start-up with its message, and the custom resources created before it are rolled back', async () => {
  const outdir = providerStack('CrBroken', (provider) => {
    const earlier = new CustomResource(provider, 'Earlier', { serviceToken: provider.serviceToken, properties: { Name: 'earlier' } });
    new CustomResource(provider, 'Broken', {
      serviceToken: provider.serviceToken, resourceType: 'Custom::Claim', properties: { Name: earlier.getAttString('Name'), Fail: 'claim certificate quota reached' },
    });
  });
  const lines: Record<string, unknown>[] = [];
  const failure = startRunner(outdir, { log: (line) => lines.push(line) });
  await expect(failure).rejects.toThrow(/^CrBroken\/ProviderBroken[0-9A-F]+ \(Custom::Claim\) CREATE_FAILED: Received response status \[FAILED\] from custom resource\. Message returned: claim certificate quota reached\n\nLogs: \/aws\/lambda\/CrBroken-OnEvent/);
  await expect(failure).rejects.toThrow(/\nrolled back: CrBroken\/ProviderEarlier[0-9A-F]+ deleted$/);
  const requests = lines.filter((line) => line.event === 'custom-resource' && line.status === 'SUCCESS').map((line) => `${line.requestType} ${String(line.logicalId).slice(0, 15)}`);
  expect(requests).toEqual(['Create ProviderEarlier', 'Delete ProviderEarlier']);
}, 60_000);

test('an answer over 4096 bytes fails the Create as CloudFormation does', async () => {
  const outdir = providerStack('CrTooLong', (provider) => {
    new CustomResource(provider, 'Thing', { serviceToken: provider.serviceToken, properties: { Name: 'a', Padding: 4100 } });
  });
  await expect(startRunner(outdir)).rejects.toThrow(/^CrTooLong\/ProviderThing[0-9A-F]+ \(AWS::CloudFormation::CustomResource\) CREATE_FAILED: Response object is too long\.$/);
}, 60_000);

test('an output that asks for an attribute the answer lacks fails with CloudFormation\'s attribute error, and rolls back', async () => {
  const outdir = providerStack('CrNoAttribute', (provider) => {
    const thing = new CustomResource(provider, 'Thing', { serviceToken: provider.serviceToken, properties: { Name: 'a' } });
    new CfnOutput(provider, 'Missing', { value: thing.getAttString('Nope') });
  });
  await expect(startRunner(outdir)).rejects.toThrow(new RegExp(
    "^CrNoAttribute: output ProviderMissing[0-9A-F]+: CustomResource attribute error: Vendor response doesn't contain Nope attribute in object "
    + `arn:aws:cloudformation:us-east-1:123456789012:stack/CrNoAttribute/[0-9a-f-]{36}\\|ProviderThing[0-9A-F]+\\|${REQUEST_ID}`
    + '\nrolled back: CrNoAttribute/ProviderThing[0-9A-F]+ deleted$',
  ));
}, 60_000);

test('isComplete that never says complete times out after the Provider\'s totalTimeout', async () => {
  const outdir = synthesize('CrTimeout', (stack) => {
    const bucket = new s3.Bucket(stack, 'Store');
    const onEvent = inlineFunction(stack, 'OnEvent', ON_EVENT, { BUCKET: bucket.bucketName });
    const isComplete = inlineFunction(stack, 'IsComplete', IS_COMPLETE, { BUCKET: bucket.bucketName, COMPLETE_AT: '99' });
    bucket.grantReadWrite(onEvent);
    bucket.grantReadWrite(isComplete);
    const provider = new cr.Provider(stack, 'Provider', {
      onEventHandler: onEvent, isCompleteHandler: isComplete, queryInterval: Duration.seconds(1), totalTimeout: Duration.seconds(2),
    });
    new CustomResource(stack, 'Slow', { serviceToken: provider.serviceToken, properties: { Name: 'slow' } });
  });
  const started = Date.now();
  await expect(startRunner(outdir)).rejects.toThrow(/^CrTimeout\/Slow \(AWS::CloudFormation::CustomResource\) CREATE_FAILED: .* Message returned: Operation timed out \(RequestId/);
  // Three calls: the first at once, then MaxAttempts (2) retries a second apart.
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
}, 60_000);

test('a custom resource outside the Provider framework is listed as not run, and so is what refers to it; a role alias is listed, its ARN known', async () => {
  const outdir = synthesize('CrPlain', (stack) => {
    const fn = inlineFunction(stack, 'Responder', 'exports.handler = async () => undefined;');
    const plain = new CustomResource(stack, 'Plain', { serviceToken: fn.functionArn, properties: { Name: 'plain' } });
    inlineFunction(stack, 'Dependent', 'exports.handler = async () => process.env.VALUE;', { VALUE: plain.getAttString('Value') });
    new CfnOutput(stack, 'PlainValue', { value: plain.getAttString('Value') });
    new CfnOutput(stack, 'Constant', { value: 'kept' });
    const role = new iam.Role(stack, 'TokenRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
    const alias = new iot.CfnRoleAlias(stack, 'TokenExchange', { roleArn: role.roleArn });
    new iot.CfnPolicy(stack, 'DevicePolicy', {
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: alias.attrRoleAliasArn }] },
    });
  });
  const runner = await startRunner(outdir);
  try {
    expect(runner.notRun).toEqual(expect.arrayContaining([
      expect.stringMatching(/^CrPlain\/Plain: AWS::CloudFormation::CustomResource is not run locally: its ServiceToken CrPlain-Responder\S+ is not the CDK Provider framework's onEvent function: .*presigned S3 ResponseURL/),
      expect.stringMatching(/^CrPlain\/Dependent[0-9A-F]+: AWS::Lambda::Function is not created locally: it refers to Plain, which is not created$/),
      'CrPlain: output PlainValue is left out: it refers to Plain, which is not created locally',
      "CrPlain/TokenExchange: AWS::IoT::RoleAlias is not run locally (there is no AWS IoT credentials provider locally, so a device cannot exchange its certificate for the role's credentials)",
    ]));
    expect(runner.stacks[0].outputs).toEqual({ Constant: 'kept' });
    // The alias is not run, but a device policy may name it.
    const policy = runner.resource('CrPlain', 'DevicePolicy').properties.PolicyDocument as { Statement: { Resource: string }[] };
    expect(policy.Statement[0].Resource).toMatch(/^arn:aws:iot:us-east-1:123456789012:rolealias\/TokenExchange-[A-Z0-9]{12}$/);
    expect(runner.resourcesOfType('AWS::CloudFormation::CustomResource')).toEqual([]);
    expect(await runner.deleteStacks()).toEqual({ deleted: [], retained: [], failed: [] });
  } finally {
    await runner.close();
  }
}, 60_000);
