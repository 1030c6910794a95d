import { LambdaServiceError } from '../../lambda/types';
import type { RuleActionSpec } from '../topic-rule-definition';
import { ActingRule, ActionInput, ActionOutcome, ActionServices, errorText } from './action-outcome';

type LambdaActionSpec = Extract<RuleActionSpec, { kind: 'lambda' }>;

/** IoT invokes functions as itself; only the function's resource policy (AWS::Lambda::Permission) can allow it. */
export const IOT_SERVICE_PRINCIPAL = 'iot.amazonaws.com';

/**
 * The Lambda action. AWS IoT invokes asynchronously, so once Lambda accepted the invocation a
 * function error is the function's business (logged here), not a failed action: only an invocation
 * that cannot start (missing function, no permission, throttled) fails the action.
 */
export async function runLambdaAction(
  spec: LambdaActionSpec, input: ActionInput, rule: ActingRule, services: ActionServices,
): Promise<ActionOutcome> {
  const fail = (errorMessage: string): ActionOutcome => ({ ok: false, action: 'LambdaAction', resource: spec.functionArn, errorMessage });
  if (input.kind === 'binary') {
    return fail('The payload is not JSON: a Lambda action needs a JSON event (select fields, or encode the payload in the SQL)');
  }
  const definition = services.functions.find(spec.functionArn);
  if (!definition) return fail(`ResourceNotFoundException: Function not found: ${spec.functionArn}`);

  const decision = services.accessControl.authorize({
    principal: { arn: IOT_SERVICE_PRINCIPAL, accountId: services.accountId, service: IOT_SERVICE_PRINCIPAL },
    action: 'lambda:InvokeFunction',
    resource: definition.functionArn,
    resourcePolicy: definition.resourcePolicy,
    context: { 'aws:SourceArn': rule.arn, 'aws:SourceAccount': services.accountId },
  });
  if (!decision.allowed) {
    return fail(`AccessDeniedException: ${decision.reason}`);
  }

  try {
    const result = await services.functions.invoke(spec.functionArn, input.value);
    return {
      ok: true,
      action: 'LambdaAction',
      resource: spec.functionArn,
      detail: result.functionError ? { functionError: result.functionError, error: result.error } : {},
    };
  } catch (error) {
    return fail(error instanceof LambdaServiceError ? `${error.code}: ${error.message}` : errorText(error));
  }
}
