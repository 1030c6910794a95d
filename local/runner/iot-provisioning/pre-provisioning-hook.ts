/**
 * Fleet provisioning's pre-provisioning hooks on the runner's Lambda functions. AWS IoT invokes the
 * hook (a template's PreProvisioningHook.TargetArn) as iot.amazonaws.com, so only the function's
 * resource policy (its AWS::Lambda::Permission resources) can allow it, with their SourceArn (the
 * template's ARN) and SourceAccount conditions. The model sends the 2020-04-01 payload and holds
 * the 5 s budget; whatever this invoker throws rejects the device with AccessDenied.
 */
import type { PreProvisioningHookInvoker } from '../../iot';
import { servicePrincipal, type AccessControl } from '../iam';
import { IOT_SERVICE_PRINCIPAL } from '../iot-rules/actions/lambda-action';
import type { LocalFunctionInvoker } from '../lambda/types';

export function preProvisioningHookInvoker(
  functions: LocalFunctionInvoker,
  accessControl: AccessControl,
  accountId: string,
): PreProvisioningHookInvoker {
  return async (targetArn, payload) => {
    const definition = functions.find(targetArn);
    if (!definition) throw new Error(`ResourceNotFoundException: Function not found: ${targetArn}`);
    const decision = accessControl.authorize({
      principal: servicePrincipal(IOT_SERVICE_PRINCIPAL, accountId),
      action: 'lambda:InvokeFunction',
      resource: definition.functionArn,
      resourcePolicy: definition.resourcePolicy,
      context: { 'aws:SourceArn': payload.templateArn, 'aws:SourceAccount': accountId },
    });
    if (!decision.allowed) throw new Error(`AccessDeniedException: ${decision.reason}`);
    const result = await functions.invoke(targetArn, payload);
    if (result.functionError) {
      throw new Error(`the function failed (${result.error?.errorType ?? 'Unhandled'}: ${result.error?.errorMessage ?? 'no message'})`);
    }
    return result.payload;
  };
}
