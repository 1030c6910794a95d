import type { RuleActionSpec } from '../topic-rule-definition';
import { ActionInput, ActionOutcome, ActionServices, errorText, inputBytes } from './action-outcome';

type SqsActionSpec = Extract<RuleActionSpec, { kind: 'sqs' }>;

const PREFIX = 'Failed to send message to SQS queue. The error received was';

/** The Sqs action: the rule's role sends the output (base64 if UseBase64) to the queue, if its policies let it. */
export function runSqsAction(spec: SqsActionSpec, input: ActionInput, services: ActionServices): ActionOutcome {
  const fail = (errorMessage: string): ActionOutcome => ({ ok: false, action: 'SqsAction', resource: spec.queueUrl, errorMessage });
  const queue = services.queues.byUrl(spec.queueUrl);
  if (!queue) return fail(`${PREFIX} The specified queue does not exist (AWS.SimpleQueueService.NonExistentQueue)`);

  const decision = services.accessControl.authorize({
    principal: { arn: spec.roleArn, accountId: services.accountId },
    action: 'sqs:SendMessage',
    resource: queue.arn,
    resourcePolicy: services.queuePolicy?.(queue.arn),
  });
  if (!decision.allowed) {
    return fail(`${PREFIX} AccessDenied: ${decision.reason}`);
  }

  const bytes = inputBytes(input);
  try {
    const sent = queue.send(spec.useBase64 ? bytes.toString('base64') : bytes.toString('utf8'));
    return { ok: true, action: 'SqsAction', resource: spec.queueUrl, detail: { queue: queue.arn, messageId: sent.messageId } };
  } catch (error) {
    return fail(`${PREFIX} ${errorText(error)}`);
  }
}
