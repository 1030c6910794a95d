import { randomUUID } from 'node:crypto';
import { topicFilterMatches } from '../../gateway/topic-filter';
import type { AccessControl, PolicyDocument } from '../iam/types';
import type { LocalFunctionInvoker } from '../lambda/types';
import type { InProcessS3 } from '../s3';
import type { LocalQueues } from '../sqs';
import type { ResolvedResource } from '../types';
import { ActionOutcome, ActionServices, errorText, runAction } from './actions';
import { errorActionPayload } from './error-action-payload';
import { evaluateIotSql, IotSqlEvaluationError, SelectResult, type SqlMessage } from './sql';
import { readTopicRule, TopicRuleDefinition } from './topic-rule-definition';

export type RuleEngineLog = (entry: Record<string, unknown>) => void;

export interface TopicRuleEngineOptions {
  readonly accountId: string;
  readonly region: string;
  readonly queues: LocalQueues;
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  readonly log?: RuleEngineLog;
  /** The queue's own policy, for runners that model SQS queue policies. */
  readonly queuePolicy?: (queueArn: string) => PolicyDocument | undefined;
  /** The local S3 (with its KMS and IAM) for S3 actions; without it they fail. */
  readonly s3?: InProcessS3;
  /** What timestamp() answers; defaults to Date.now. */
  readonly now?: () => number;
  /** The error payload's cloudwatchTraceId; defaults to a random UUID. */
  readonly traceId?: () => string;
}

/** A message as the gateway hands it over. */
export interface RuleEngineMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly clientId?: string;
  /** What principal() answers, when the caller knows the authenticated identity. */
  readonly principal?: string;
}

/** What addRule made of a template resource. */
export interface AddedTopicRule {
  readonly name: string;
  readonly arn: string;
  /** False when the rule's SQL cannot run locally (see `unsupported`). */
  readonly loaded: boolean;
  readonly enabled: boolean;
  /** Sentences naming what will not run locally: the SQL, or individual actions. */
  readonly unsupported: readonly string[];
}

/** The part of the MQTT gateway the engine listens on. */
export interface RuleMessageSource {
  onMessage(listener: (message: RuleEngineMessage) => void): () => void;
}

/**
 * AWS IoT topic rules, locally: every message the gateway sees is matched against each enabled
 * rule's FROM filter and WHERE clause, and the SELECT output goes to the rule's Sqs, S3 and Lambda
 * actions under the rule's role (or as iot.amazonaws.com for Lambda). A failed action sends AWS's
 * error payload to the rule's error action; other actions are reported at start-up, never faked.
 */
export class TopicRuleEngine {
  private readonly rules = new Map<string, TopicRuleDefinition>();
  private readonly notRun: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly services: ActionServices;
  private readonly log: RuleEngineLog;
  private readonly now: () => number;
  private readonly traceId: () => string;

  constructor(private readonly options: TopicRuleEngineOptions) {
    this.services = {
      accountId: options.accountId,
      queues: options.queues,
      functions: options.functions,
      accessControl: options.accessControl,
      queuePolicy: options.queuePolicy,
      s3: options.s3,
    };
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.traceId = options.traceId ?? randomUUID;
  }

  /** Loads a resolved AWS::IoT::TopicRule; what cannot run is recorded and returned, not approximated. */
  addRule(resource: ResolvedResource): AddedTopicRule {
    const rule = readTopicRule(resource, this.options.accountId, this.options.region);
    this.notRun.push(...rule.unsupported);
    for (const sentence of rule.unsupported) this.log({ event: 'rule-unsupported', rule: rule.name, source: rule.source, detail: sentence });
    const loaded = rule.statement !== undefined;
    if (loaded) {
      if (this.rules.has(rule.name)) this.log({ event: 'rule-replaced', rule: rule.name });
      this.rules.set(rule.name, rule);
      this.log({
        event: 'rule-added',
        rule: rule.name,
        arn: rule.arn,
        sql: rule.sql,
        enabled: rule.enabled,
        actions: rule.actions.map((action) => action.kind),
        errorAction: rule.errorAction?.kind,
      });
    }
    return { name: rule.name, arn: rule.arn, loaded, enabled: rule.enabled, unsupported: [...rule.unsupported] };
  }

  /** Every sentence about something the loaded rules will not do locally. */
  unsupported(): string[] {
    return [...this.notRun];
  }

  /** Feeds the gateway's messages to the rules; the returned function stops it. */
  attach(gateway: RuleMessageSource): () => void {
    return gateway.onMessage((message) => {
      void this.handle(message);
    });
  }

  /** Runs the rules matching a message; settles (never rejects) when their actions and error actions finished. */
  handle(message: RuleEngineMessage): Promise<void> {
    const timestamp = this.now();
    const runs: Promise<void>[] = [];
    for (const rule of this.rules.values()) {
      if (!rule.statement || !topicFilterMatches(rule.statement.from, message.topic)) continue;
      if (!rule.enabled) {
        this.log({ event: 'rule-skipped', rule: rule.name, topic: message.topic, reason: 'the rule is disabled' });
        continue;
      }
      runs.push(this.track(this.runRule(rule, message, timestamp)));
    }
    return Promise.all(runs).then(() => undefined);
  }

  /** Resolves when no rule action is in flight (including those started while waiting). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(run: Promise<void>): Promise<void> {
    const tracked = run.catch((error) => this.log({ event: 'rule-engine-fault', error: errorText(error) }))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }

  private async runRule(rule: TopicRuleDefinition, message: RuleEngineMessage, timestamp: number): Promise<void> {
    let output: SelectResult | undefined;
    const sqlMessage: SqlMessage = { ...message, timestamp };
    try {
      output = evaluateIotSql(rule.statement!, sqlMessage);
    } catch (error) {
      if (!(error instanceof IotSqlEvaluationError)) throw error;
      this.log({ event: 'rule-sql-failed', rule: rule.name, topic: message.topic, reason: error.message });
      return;
    }
    if (!output) {
      this.log({ event: 'rule-skipped', rule: rule.name, topic: message.topic, reason: 'the WHERE clause is not true' });
      return;
    }
    this.log({ event: 'rule-matched', rule: rule.name, topic: message.topic, output: output.kind });
    const outcomes = await Promise.all(rule.actions.map((action) => runAction(action, output, rule, this.services, sqlMessage)));
    const failed: Extract<ActionOutcome, { ok: false }>[] = [];
    for (const outcome of outcomes) {
      if (outcome.ok) {
        this.log({ event: 'rule-action-succeeded', rule: rule.name, action: outcome.action, resource: outcome.resource, ...outcome.detail });
      } else {
        failed.push(outcome);
        this.log({ event: 'rule-action-failed', rule: rule.name, action: outcome.action, resource: outcome.resource, reason: outcome.errorMessage });
      }
    }
    if (failed.length > 0) await this.runErrorAction(rule, sqlMessage, failed);
  }

  /** AWS runs the error action once per failed message; if it fails too (or is missing) the message is lost. */
  private async runErrorAction(
    rule: TopicRuleDefinition, message: SqlMessage, failed: Extract<ActionOutcome, { ok: false }>[],
  ): Promise<void> {
    if (!rule.errorAction) {
      this.log({ event: 'rule-message-lost', rule: rule.name, topic: message.topic, reason: 'the rule has no error action it can run' });
      return;
    }
    const payload = errorActionPayload({
      ruleName: rule.name, topic: message.topic, traceId: this.traceId(), clientId: message.clientId, payload: message.payload, failed,
    });
    const outcome = await runAction(rule.errorAction, { kind: 'json', value: payload }, rule, this.services, message);
    if (outcome.ok) {
      this.log({ event: 'rule-error-action-succeeded', rule: rule.name, action: outcome.action, resource: outcome.resource, ...outcome.detail });
      return;
    }
    this.log({ event: 'rule-error-action-failed', rule: rule.name, action: outcome.action, resource: outcome.resource, reason: outcome.errorMessage });
    this.log({ event: 'rule-message-lost', rule: rule.name, topic: message.topic, reason: 'the error action failed too' });
  }
}
