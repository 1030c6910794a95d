import type { RuleActionSpec } from '../topic-rule-definition';
import { ActingRule, ActionInput, ActionOutcome, ActionServices, errorText } from './action-outcome';
import { runLambdaAction } from './lambda-action';
import { runSqsAction } from './sqs-action';

/** Runs one action; never rejects, so one action's fault cannot hide another's outcome. */
export async function runAction(spec: RuleActionSpec, input: ActionInput, rule: ActingRule, services: ActionServices): Promise<ActionOutcome> {
  try {
    return spec.kind === 'sqs' ? runSqsAction(spec, input, services) : await runLambdaAction(spec, input, rule, services);
  } catch (error) {
    const [action, resource] = spec.kind === 'sqs' ? ['SqsAction', spec.queueUrl] as const : ['LambdaAction', spec.functionArn] as const;
    return { ok: false, action, resource, errorMessage: errorText(error) };
  }
}
