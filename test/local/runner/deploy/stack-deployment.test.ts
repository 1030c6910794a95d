/**
 * A stack deployment with custom resources: what refers to one waits for its answer, resolves
 * against it afterwards, and outputs follow; what it cannot wait for is said plainly.
 */
import { stackOf, TARGET } from './support';
import { createLateResource } from '../../../../local/runner/deploy/late-resources';
import { resolveStack, StackDeployment } from '../../../../local/runner/deploy/resolve-stack';
import { LocalIam } from '../../../../local/runner/iam';

const TOKEN = { 'Fn::GetAtt': ['Framework', 'Arn'] };

const template = () => stackOf({
  Framework: { Type: 'AWS::Lambda::Function', Properties: {} },
  Claim: { Type: 'Custom::Claim', Properties: { ServiceToken: TOKEN, Count: 2 } },
  // Its name is decided by the claim: it waits, and so does what refers to it.
  Policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: { 'Fn::Sub': '${Claim.Name}-policy' } } },
  Reader: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement: [{ Resource: { 'Fn::GetAtt': ['Policy', 'Arn'] } }] } } },
  // DependsOn alone does not make it wait; a reference to the framework's function does not either.
  After: { Type: 'AWS::SQS::Queue', DependsOn: 'Claim', Properties: { Tag: { Ref: 'Framework' } } },
}, {
  extra: {
    Outputs: {
      Id: { Value: { Ref: 'Claim' } },
      Secret: { Value: { 'Fn::GetAtt': ['Claim', 'Name'] } },
      Stack: { Value: { Ref: 'AWS::StackId' } },
    },
  },
});

test('resources that refer to a custom resource (or to a name it decides) wait, in creation order; the rest resolve at once', () => {
  const deployment = new StackDeployment(template(), TARGET);
  expect(deployment.immediate.map((resource) => resource.logicalId)).toEqual(['Framework', 'After']);
  expect(deployment.later.map((resource) => resource.logicalId)).toEqual(['Claim', 'Policy', 'Reader']);
  expect(deployment.isCustomResource('Claim')).toBe(true);
  expect(deployment.isCustomResource('Policy')).toBe(false);
  expect(deployment.stackId).toMatch(/^arn:aws:cloudformation:eu-central-1:111122223333:stack\/TestStack\/[0-9a-f-]{36}$/);
});

test('the answer is Ref and Fn::GetAtt of the custom resource; what waited resolves against it, outputs too', () => {
  const deployment = new StackDeployment(template(), TARGET);
  const properties = deployment.resolveProperties('Claim');
  expect(properties).toEqual({ ServiceToken: deployment.immediate[0].attributes.Arn, Count: 2 });
  const claim = deployment.completeCustomResource('Claim', properties, { physicalId: 'claim-1', attributes: { Name: 'fleet' }, requestId: 'r1' });
  expect(claim).toMatchObject({ logicalId: 'Claim', type: 'Custom::Claim', physicalId: 'claim-1', attributes: { Name: 'fleet' } });
  const policy = deployment.resolveLater('Policy');
  expect(policy.physicalId).toBe('fleet-policy');
  expect(deployment.resolveLater('Reader').properties).toEqual({ PolicyDocument: { Statement: [{ Resource: policy.attributes.Arn }] } });
  const { stack, notRun } = deployment.result();
  expect(stack.resources.map((resource) => resource.logicalId)).toEqual(['Framework', 'Claim', 'Policy', 'Reader', 'After']);
  expect(stack.outputs).toEqual({ Id: 'claim-1', Secret: 'fleet', Stack: deployment.stackId });
  expect(notRun).toEqual([]);
});

test('NoEcho masks the attributes in outputs, not in the properties of other resources', () => {
  const deployment = new StackDeployment(template(), TARGET);
  deployment.completeCustomResource('Claim', {}, { physicalId: 'claim-1', attributes: { Name: 'fleet' }, requestId: 'r1', noEcho: true });
  expect(deployment.resolveLater('Policy').physicalId).toBe('fleet-policy');
  expect(deployment.result().stack.outputs).toMatchObject({ Id: 'claim-1', Secret: '*****' });
});

test('an attribute the answer lacks fails with CloudFormation\'s words, named after the resource that asked', () => {
  const deployment = new StackDeployment(template(), TARGET);
  deployment.completeCustomResource('Claim', {}, { physicalId: 'claim-1', attributes: {}, requestId: 'r1' });
  expect(() => deployment.resolveLater('Policy')).toThrow(
    `TestStack/Policy (AWS::IoT::Policy) CREATE_FAILED: CustomResource attribute error: Vendor response doesn't contain Name attribute in object ${deployment.stackId}|Claim|r1`);
});

test('a custom resource not created leaves out what refers to it, outputs with a sentence; resolveStack leaves them all out', () => {
  const deployment = new StackDeployment(template(), TARGET);
  deployment.abandon('Claim', 'not run');
  expect(deployment.abandonedDependency('Policy')).toBe('Claim');
  // DependsOn alone needs no value of Claim: After is not left out for it.
  expect(deployment.abandonedDependency('After')).toBeUndefined();
  const { stack, notRun } = deployment.result();
  expect(stack.resources.map((resource) => resource.logicalId)).toEqual(['Framework', 'After']);
  expect(stack.outputs).toEqual({ Stack: deployment.stackId });
  expect(notRun).toEqual([
    'TestStack: output Id is left out: it refers to Claim, which is not created locally',
    'TestStack: output Secret is left out: it refers to Claim, which is not created locally',
  ]);
  expect(resolveStack(template(), TARGET).resources.map((resource) => resource.logicalId)).toEqual(['Framework', 'After']);
});

test('the DeletionPolicy of a resource, Delete when the template sets none', () => {
  const stack = stackOf({ Kept: { Type: 'Custom::X', DeletionPolicy: 'Retain', Properties: {} }, Gone: { Type: 'Custom::X', Properties: {} } });
  const deployment = new StackDeployment(stack, TARGET);
  expect(deployment.deletionPolicy('Kept')).toBe('Retain');
  expect(deployment.deletionPolicy('Gone')).toBe('Delete');
});

test('a kind the runner creates before custom resources cannot wait for one: start-up says so', async () => {
  const queue = { stackName: 'TestStack', logicalId: 'Queue', type: 'AWS::SQS::Queue', physicalId: 'q', attributes: {}, properties: {} };
  const services = { iam: new LocalIam({ accountId: '111122223333', region: 'eu-central-1' }) } as any;
  await expect(createLateResource(stackOf({}), queue, [], services)).rejects.toThrow(
    /^TestStack\/Queue: a AWS::SQS::Queue that refers to a custom resource is not supported locally \(the runner creates them before custom resources run; only AWS::IAM::Role, /);
  // Kinds the runner never runs are listed at start-up already: nothing to do.
  await expect(createLateResource(stackOf({}), { ...queue, type: 'AWS::SSM::Parameter' }, [], services)).resolves.toEqual([]);
});
