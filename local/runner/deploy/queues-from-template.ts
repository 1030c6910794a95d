/**
 * SQS queues and Lambda event source mappings from the resolved template. A mapping whose
 * function role may not read its queue fails here, as CreateEventSourceMapping does in AWS.
 */
import type { LocalIam } from '../iam';
import type { PolicyDocument } from '../iam/types';
import type { LocalFunctionInvoker } from '../lambda/types';
import { Clock, LocalQueues, SqsEventSourcePoller, systemClock } from '../sqs';
import type { ResolvedResource } from '../types';

/** Creates the queues; answers sentences for what is not modelled (FIFO, KMS-encrypted bodies are stored as is). */
export function createQueues(queues: LocalQueues, resources: readonly ResolvedResource[]): string[] {
  const notRun: string[] = [];
  for (const queue of resources.filter((resource) => resource.type === 'AWS::SQS::Queue')) {
    const properties = queue.properties as Record<string, any>;
    if (properties.FifoQueue === true || properties.FifoQueue === 'true') {
      notRun.push(`${queue.stackName}/${queue.logicalId}: FIFO queues are not modelled locally`);
      continue;
    }
    // A Json property: CloudFormation takes it as an object or as a string holding the JSON.
    const redrive = (typeof properties.RedrivePolicy === 'string' ? JSON.parse(properties.RedrivePolicy) : properties.RedrivePolicy) as
      { deadLetterTargetArn?: string; maxReceiveCount?: number | string } | undefined;
    queues.create({
      name: queue.attributes.QueueName,
      arn: queue.attributes.Arn,
      url: queue.physicalId,
      ...(properties.VisibilityTimeout !== undefined ? { visibilityTimeoutSeconds: Number(properties.VisibilityTimeout) } : {}),
      ...(properties.MessageRetentionPeriod !== undefined ? { messageRetentionSeconds: Number(properties.MessageRetentionPeriod) } : {}),
      ...(redrive?.deadLetterTargetArn
        ? { deadLetter: { targetArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) } }
        : {}),
    });
  }
  return notRun;
}

const POLLER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** One poller per SQS event source mapping (not started). */
export function createEventSourceMappings(
  resources: readonly ResolvedResource[],
  queues: LocalQueues,
  functions: LocalFunctionInvoker,
  iam: LocalIam,
  accountId: string,
  clock: Clock = systemClock,
): SqsEventSourcePoller[] {
  const pollers: SqsEventSourcePoller[] = [];
  for (const mapping of resources.filter((resource) => resource.type === 'AWS::Lambda::EventSourceMapping')) {
    const properties = mapping.properties as Record<string, any>;
    const where = `${mapping.stackName}/${mapping.logicalId}`;
    if (properties.Enabled === false || properties.Enabled === 'false') continue;
    const queue = queues.byArn(String(properties.EventSourceArn));
    if (!queue) throw new Error(`${where}: event source ${properties.EventSourceArn} is not a queue of the stack (only SQS sources run locally)`);
    const fn = functions.find(String(properties.FunctionName));
    if (!fn) throw new Error(`${where}: function ${properties.FunctionName} is not in the stack`);
    for (const action of POLLER_ACTIONS) {
      const decision = iam.authorize({ principal: { arn: fn.role.arn, accountId }, action, resource: queue.arn });
      if (!decision.allowed) {
        throw new Error(`${where}: The function execution role does not have permissions to call ${action.slice(4)} on SQS (${decision.reason})`);
      }
    }
    pollers.push(new SqsEventSourcePoller({
      queue,
      batchSize: properties.BatchSize === undefined ? 10 : Number(properties.BatchSize),
      maximumBatchingWindowMs: Number(properties.MaximumBatchingWindowInSeconds ?? 0) * 1000,
      reportBatchItemFailures: ((properties.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
      ...(properties.ScalingConfig?.MaximumConcurrency ? { maximumConcurrency: Number(properties.ScalingConfig.MaximumConcurrency) } : {}),
      invoke: async (event) => {
        const result = await functions.invoke(fn.functionArn, event);
        // A function error leaves the whole batch on the queue, to come back after the visibility timeout.
        if (result.functionError) throw new Error(`${fn.functionName}: ${result.error?.errorType}: ${result.error?.errorMessage}`);
        return result.payload;
      },
    }, clock));
  }
  return pollers;
}

/** Each queue's policy, from AWS::SQS::QueuePolicy (its Queues are URLs; a later policy for a queue replaces an earlier one, as in SQS). */
export function queuePoliciesFromTemplate(resources: readonly ResolvedResource[], queues: LocalQueues): Map<string, PolicyDocument> {
  const policies = new Map<string, PolicyDocument>();
  for (const policy of resources.filter((resource) => resource.type === 'AWS::SQS::QueuePolicy')) {
    for (const url of (policy.properties.Queues ?? []) as string[]) {
      const queue = queues.byUrl(url);
      if (queue) policies.set(queue.arn, policy.properties.PolicyDocument as PolicyDocument);
    }
  }
  return policies;
}
