import type { SqlMessage } from '../sql';
import type { RuleActionSpec } from '../topic-rule-definition';
import { ActingRule, ActionInput, ActionOutcome, ActionServices, errorText, FailedActionName } from './action-outcome';
import { runLambdaAction } from './lambda-action';
import { runS3Action } from './s3-action';
import { runSqsAction } from './sqs-action';

const TARGET: Readonly<Record<RuleActionSpec['kind'], (spec: any) => [FailedActionName, string]>> = {
  sqs: (spec) => ['SqsAction', spec.queueUrl],
  lambda: (spec) => ['LambdaAction', spec.functionArn],
  s3: (spec) => ['S3Action', spec.bucketName],
};

/**
 * Runs one action; never rejects, so one action's fault cannot hide another's outcome. `message`: the incoming
 * message, which substitution templates (an S3 key) are evaluated against.
 */
export async function runAction(
  spec: RuleActionSpec, input: ActionInput, rule: ActingRule, services: ActionServices, message: SqlMessage,
): Promise<ActionOutcome> {
  try {
    switch (spec.kind) {
      case 'sqs': return runSqsAction(spec, input, services);
      case 's3': return runS3Action(spec, input, message, services);
      case 'lambda': return await runLambdaAction(spec, input, rule, services);
    }
  } catch (error) {
    const [action, resource] = TARGET[spec.kind](spec);
    return { ok: false, action, resource, errorMessage: errorText(error) };
  }
}
