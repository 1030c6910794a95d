import type { ResolvedResource } from '../types';
import { IotSqlError, IotSqlStatement, parseIotSql } from './sql';
import { parseSubstitutionTemplate, type TemplatePart } from './substitution-template';

/** A rule action the local engine runs. */
export type RuleActionSpec =
  | { readonly kind: 'sqs'; readonly queueUrl: string; readonly roleArn: string; readonly useBase64: boolean }
  | { readonly kind: 'lambda'; readonly functionArn: string }
  | {
    readonly kind: 's3';
    readonly bucketName: string;
    readonly key: string;
    readonly keyParts: readonly TemplatePart[];
    readonly roleArn: string;
    readonly cannedAcl?: string;
  };

/** An AWS::IoT::TopicRule as the engine runs it, with what it cannot run spelled out. */
export interface TopicRuleDefinition {
  /** The rule name: the resource's physical id. */
  readonly name: string;
  readonly arn: string;
  /** `stack/logicalId`, to point at the template in messages. */
  readonly source: string;
  readonly sql: string;
  /** Undefined when the SQL is outside the modelled subset: the rule does not run at all. */
  readonly statement?: IotSqlStatement;
  readonly enabled: boolean;
  readonly actions: readonly RuleActionSpec[];
  readonly errorAction?: RuleActionSpec;
  /** Readable sentences, one per construct that will not run locally. */
  readonly unsupported: readonly string[];
}

/** The SQL versions whose semantics the evaluator follows (2015-10-08 differs only in corners the subset avoids). */
const SQL_VERSIONS = new Set(['2016-03-23', '2015-10-08']);

/** Reads a resolved AWS::IoT::TopicRule: its name, ARN, parsed SQL, and the actions the engine can run. */
export function readTopicRule(resource: ResolvedResource, accountId: string, region: string): TopicRuleDefinition {
  if (resource.type !== 'AWS::IoT::TopicRule') throw new Error(`${resource.logicalId} is a ${resource.type}, not an AWS::IoT::TopicRule`);
  const name = resource.physicalId;
  const source = `${resource.stackName}/${resource.logicalId}`;
  const label = `Topic rule ${name} (${source})`;
  const payload = asRecord(resource.properties.TopicRulePayload);
  const sql = typeof payload.Sql === 'string' ? payload.Sql : '';
  const unsupported: string[] = [];

  // CloudFormation's default is 2015-10-08; `beta` is a moving target nobody can model.
  const version = typeof payload.AwsIotSqlVersion === 'string' ? payload.AwsIotSqlVersion : '2015-10-08';
  let statement: IotSqlStatement | undefined;
  if (!SQL_VERSIONS.has(version)) {
    unsupported.push(`${label}: SQL version ${version} is not modelled locally, so the rule will not run`);
  } else {
    try {
      statement = parseIotSql(sql);
    } catch (error) {
      if (!(error instanceof IotSqlError)) throw error;
      unsupported.push(`${label}: its SQL is not supported locally, so the rule will not run: ${error.message}`);
    }
  }

  const actions: RuleActionSpec[] = [];
  for (const entry of asList(payload.Actions)) {
    for (const [kind, settings] of Object.entries(asRecord(entry))) {
      const spec = readAction(kind, asRecord(settings));
      if (typeof spec === 'string') unsupported.push(`${label}: ${spec}, so that action will not run`);
      else actions.push(spec);
    }
  }

  let errorAction: RuleActionSpec | undefined;
  for (const [kind, settings] of Object.entries(asRecord(payload.ErrorAction))) {
    const spec = readAction(kind, asRecord(settings));
    if (typeof spec === 'string') unsupported.push(`${label}: as its error action, ${spec}, so failed messages are only logged`);
    else errorAction = spec;
  }

  return {
    name,
    arn: `arn:aws:iot:${region}:${accountId}:rule/${name}`,
    source,
    sql,
    statement,
    enabled: !asBoolean(payload.RuleDisabled),
    actions,
    errorAction,
    unsupported,
  };
}

/** The action's settings, or why it cannot run. */
function readAction(kind: string, settings: Record<string, unknown>): RuleActionSpec | string {
  if (kind === 'Sqs') {
    const { QueueUrl: queueUrl, RoleArn: roleArn } = settings;
    if (typeof queueUrl !== 'string' || typeof roleArn !== 'string') return 'the Sqs action lacks a QueueUrl or RoleArn';
    return { kind: 'sqs', queueUrl, roleArn, useBase64: asBoolean(settings.UseBase64) };
  }
  if (kind === 'Lambda') {
    const functionArn = settings.FunctionArn;
    if (typeof functionArn !== 'string') return 'the Lambda action lacks a FunctionArn';
    return { kind: 'lambda', functionArn };
  }
  if (kind === 'S3') {
    const { BucketName: bucketName, Key: key, RoleArn: roleArn, CannedAcl: cannedAcl } = settings;
    if (typeof bucketName !== 'string' || typeof key !== 'string' || typeof roleArn !== 'string') return 'the S3 action lacks a BucketName, Key or RoleArn';
    let keyParts: TemplatePart[];
    try {
      keyParts = parseSubstitutionTemplate(key);
    } catch (error) {
      if (!(error instanceof IotSqlError)) throw error;
      return `the S3 action's Key ${key} is not supported locally: ${error.message}`;
    }
    return { kind: 's3', bucketName, key, keyParts, roleArn, ...(typeof cannedAcl === 'string' ? { cannedAcl } : {}) };
  }
  return `the ${kind} action is not modelled locally (only Sqs, Lambda and S3 are)`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

function asList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Resolved templates may carry booleans as strings. */
function asBoolean(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}
