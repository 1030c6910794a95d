/**
 * One authenticated SQS request, as the operations see it: the queue it names, authorized for an IAM
 * action before the operation looks at anything else (so a caller without permission learns nothing,
 * not even whether the queue exists).
 */
import { sqsApiError } from './api-errors';
import type { Clock } from './clock';
import type { LocalQueue } from './queue';
import type { QueueAddresses, QueueTarget } from './queue-address';
import { Json, optionalString, requiredString } from './request-fields';
import type { AccessControl, PolicyDocument, Principal } from '../iam/types';

export interface SqsCallOptions {
  readonly principal: Principal;
  readonly accessControl: AccessControl;
  readonly addresses: QueueAddresses;
  readonly queuePolicy?: (queueArn: string) => PolicyDocument | undefined;
  readonly clock: Clock;
  /** The Host header, for the queue URLs handed back. */
  readonly host?: string;
  /** Aborted when the client hangs up or the server closes: ends a long poll. */
  readonly signal: AbortSignal;
}

export class SqsCall {
  readonly clock: Clock;
  readonly signal: AbortSignal;

  constructor(private readonly options: SqsCallOptions) {
    this.clock = options.clock;
    this.signal = options.signal;
  }

  /** The queue `QueueUrl` names, once `action` (e.g. sqs:SendMessage) is allowed on it. */
  queueAt(input: Json, action: string): LocalQueue {
    const url = requiredString(input, 'QueueUrl');
    const target = this.options.addresses.byUrl(url);
    if (!target) throw sqsApiError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
    return this.existing(target, action);
  }

  /** The queue `QueueName` (and `QueueOwnerAWSAccountId`) names, once `action` is allowed on it. */
  queueNamed(input: Json, action: string): LocalQueue {
    const target = this.options.addresses.byName(requiredString(input, 'QueueName'), optionalString(input, 'QueueOwnerAWSAccountId'));
    return this.existing(target, action);
  }

  /** Authorizes an account-wide action (ListQueues). */
  authorizeAccount(action: string): void {
    this.authorize(action, this.options.addresses.accountQueuesArn, undefined);
  }

  /** The account's queues (ListQueues authorizes with authorizeAccount first). */
  queues(): LocalQueue[] {
    return this.options.addresses.list();
  }

  policyOf(queue: LocalQueue): PolicyDocument | undefined {
    return this.options.queuePolicy?.(queue.arn);
  }

  urlOf(queue: LocalQueue): string {
    return this.options.addresses.urlFor(queue, this.options.host);
  }

  private existing(target: QueueTarget, action: string): LocalQueue {
    this.authorize(action, target.arn, target.queue ? this.options.queuePolicy?.(target.arn) : undefined);
    if (!target.queue) throw sqsApiError('QueueDoesNotExist', 'The specified queue does not exist.');
    return target.queue;
  }

  private authorize(action: string, resource: string, resourcePolicy: PolicyDocument | undefined): void {
    const decision = this.options.accessControl.authorize({ principal: this.options.principal, action, resource, resourcePolicy });
    // The reason is already the whole AWS sentence ("User: ... is not authorized to perform: ...").
    if (!decision.allowed) throw sqsApiError('AccessDenied', decision.reason);
  }
}
