import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { denialReason } from '../../../../local/runner/iam';
import type { AccessControl, AccessDecision, AccessRequest, PolicyDocument, PolicyStatement } from '../../../../local/runner/iam/types';
import { InvokeResult, LambdaServiceError, LocalFunctionDefinition, LocalFunctionInvoker } from '../../../../local/runner/lambda/types';
import { LocalQueue, LocalQueues } from '../../../../local/runner/sqs';
import type { ResolvedResource } from '../../../../local/runner/types';
import { synthesizeJitrDemo } from '../../../demo/support/jitr-demo-assembly';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';

export function createQueue(queues: LocalQueues, name: string): LocalQueue {
  return queues.create({
    name,
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
    url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`,
  });
}

/** Everything waiting in a queue, bodies only. */
export function drain(queue: LocalQueue): string[] {
  const bodies: string[] = [];
  for (let batch = queue.receive(10); batch.length > 0; batch = queue.receive(10)) bodies.push(...batch.map((message) => message.body));
  return bodies;
}

/** One identity-policy grant: this principal may do this action on this resource. */
export interface Grant {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
}

/**
 * A table-driven stand-in for the local IAM: identity grants for roles, and for service principals
 * the function's resource policy (a statement naming the service, with an optional aws:SourceArn).
 */
export class FakeAccessControl implements AccessControl {
  readonly requests: AccessRequest[] = [];

  constructor(private readonly grants: readonly Grant[]) {}

  authenticate(): never {
    throw new Error('topic rules never authenticate requests');
  }

  authorize(request: AccessRequest): AccessDecision {
    this.requests.push(request);
    if (request.principal.service) {
      const allowed = statements(request.resourcePolicy).some((statement) => this.allowsService(statement, request));
      return { allowed, reason: allowed ? 'allowed by the resource policy' : denialReason(request) };
    }
    const allowed = this.grants.some((grant) => grant.principal === request.principal.arn && grant.action === request.action
      && grant.resource === request.resource);
    return { allowed, reason: allowed ? 'allowed by an identity policy' : denialReason(request) };
  }

  private allowsService(statement: PolicyStatement, request: AccessRequest): boolean {
    const principal = statement.Principal;
    const service = typeof principal === 'object' ? principal.Service : undefined;
    const sourceArn = statement.Condition?.ArnLike?.['aws:SourceArn'];
    return statement.Effect === 'Allow' && service === request.principal.service
      && (sourceArn === undefined || sourceArn === request.context?.['aws:SourceArn']);
  }
}

function statements(policy: PolicyDocument | undefined): readonly PolicyStatement[] {
  if (!policy) return [];
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement as PolicyStatement];
}

/** A function's resource policy letting IoT invoke it, as an AWS::Lambda::Permission for a rule gives. */
export function iotInvokePermission(ruleArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: 'iot.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: '*',
      Condition: { ArnLike: { 'aws:SourceArn': ruleArn } },
    }],
  };
}

type Behaviour = (event: unknown) => Promise<InvokeResult>;

/** Functions that record their events; each answers as its behaviour says. */
export class FakeFunctions implements LocalFunctionInvoker {
  readonly invocations: { readonly arn: string; readonly event: unknown }[] = [];
  private readonly functions = new Map<string, { definition: LocalFunctionDefinition; behaviour: Behaviour }>();

  add(name: string, options: { resourcePolicy?: PolicyDocument; behaviour?: Behaviour } = {}): string {
    const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    const definition: LocalFunctionDefinition = {
      logicalId: name,
      functionName: name,
      functionArn,
      codeDirectory: '/nowhere',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      environment: {},
      role: { arn: `arn:aws:iam::${ACCOUNT}:role/${name}-role`, credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' } },
      resourcePolicy: options.resourcePolicy,
    };
    this.functions.set(functionArn, { definition, behaviour: options.behaviour ?? (async () => ({ payload: null, logs: [] })) });
    return functionArn;
  }

  find(functionNameOrArn: string): LocalFunctionDefinition | undefined {
    return this.functions.get(functionNameOrArn)?.definition;
  }

  async invoke(functionNameOrArn: string, event: unknown): Promise<InvokeResult> {
    const entry = this.functions.get(functionNameOrArn);
    if (!entry) throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${functionNameOrArn}`, 404);
    this.invocations.push({ arn: functionNameOrArn, event });
    return entry.behaviour(event);
  }
}

/** A resolved AWS::IoT::TopicRule with the given payload. */
export function topicRule(name: string, payload: Record<string, unknown>): ResolvedResource {
  return {
    stackName: 'RulesTest',
    logicalId: `${name}Rule`,
    type: 'AWS::IoT::TopicRule',
    physicalId: name,
    attributes: { Arn: `arn:aws:iot:${REGION}:${ACCOUNT}:rule/${name}` },
    properties: { TopicRulePayload: { AwsIotSqlVersion: '2016-03-23', RuleDisabled: false, ...payload } },
  };
}

let demoTemplate: any;

/** The JitrDemo template, synthesized once per test file (a clean clone has no .demo/ output). */
function jitrDemoTemplate(): any {
  if (!demoTemplate) {
    const cdkOut = synthesizeJitrDemo();
    demoTemplate = JSON.parse(readFileSync(join(cdkOut, 'JitrDemo.template.json'), 'utf8'));
    rmSync(cdkOut, { recursive: true, force: true });
  }
  return demoTemplate;
}

/**
 * The JITR demo's real topic rule, its Ref/GetAtt resolved as the runner would: the buffer queue and
 * its dead-letter queue by URL, the topic-rule role by ARN. Also answers the role's grants from the
 * template's policy, so tests start from what the construct actually deploys.
 */
export function jitrDemoRule(urlOf: (logicalId: string) => string): { rule: ResolvedResource; roleArn: string; grants: Grant[] } {
  const template = jitrDemoTemplate();
  const resources: Record<string, { Type: string; Properties: Record<string, unknown> }> = template.Resources;
  const [logicalId, resource] = Object.entries(resources).find(([, candidate]) => candidate.Type === 'AWS::IoT::TopicRule')!;
  const roleArnOf = (id: string): string => `arn:aws:iam::${ACCOUNT}:role/JitrDemo-${id}`;
  const queueArnOf = (id: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${urlOf(id).split('/').pop()}`;
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return urlOf(record.Ref);
    if (Array.isArray(record['Fn::GetAtt'])) {
      const [id] = record['Fn::GetAtt'] as string[];
      return resources[id].Type === 'AWS::IAM::Role' ? roleArnOf(id) : queueArnOf(id);
    }
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, resolve(inner)]));
  };
  const properties = resolve(resource.Properties) as Record<string, unknown>;
  const roleArn = (properties.TopicRulePayload as { Actions: { Sqs: { RoleArn: string } }[] }).Actions[0].Sqs.RoleArn;
  // The role's own policies (AWS::IAM::Policy naming it in Roles) become its grants.
  const roleId = Object.keys(resources).find((id) => roleArnOf(id) === roleArn)!;
  const grants: Grant[] = [];
  for (const candidate of Object.values(resources)) {
    const roles = candidate.Properties.Roles as { Ref?: string }[] | undefined;
    if (candidate.Type !== 'AWS::IAM::Policy' || !roles?.some((ref) => ref.Ref === roleId)) continue;
    const document = resolve(candidate.Properties.PolicyDocument) as { Statement: { Action: string | string[]; Resource: string }[] };
    for (const statement of document.Statement) {
      for (const action of [statement.Action].flat()) grants.push({ principal: roleArn, action, resource: statement.Resource });
    }
  }
  return {
    rule: { stackName: 'JitrDemo', logicalId, type: resource.Type, physicalId: 'JitrActivatorTopicRule', attributes: {}, properties },
    roleArn,
    grants,
  };
}
