/**
 * API Gateway may invoke a function only if the function's resource policy (its AWS::Lambda::Permission
 * resources) lets apigateway.amazonaws.com do so for this source ARN. Without it AWS answers 500 and
 * logs "Invalid permissions on Lambda function"; the local server does the same, loudly.
 */
import { internalServerError } from './gateway-error';
import type { AccessControl } from '../iam/types';
import type { LocalFunctionInvoker } from '../lambda/types';

const API_GATEWAY_SERVICE = 'apigateway.amazonaws.com';

export interface LambdaPermissionCheck {
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  readonly accountId: string;
  readonly log: (line: string) => void;
}

export function requireApiGatewayMayInvoke(check: LambdaPermissionCheck, functionArn: string, sourceArn: string): void {
  const decision = check.accessControl.authorize({
    principal: { arn: API_GATEWAY_SERVICE, accountId: check.accountId, service: API_GATEWAY_SERVICE },
    action: 'lambda:InvokeFunction',
    resource: functionArn,
    resourcePolicy: check.functions.find(functionArn)?.resourcePolicy,
    context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': check.accountId },
  });
  if (decision.allowed) return;
  check.log(`API Gateway: Execution failed due to configuration error: Invalid permissions on Lambda function ${functionArn} `
    + `(no lambda:InvokeFunction permission for ${API_GATEWAY_SERVICE} with source ARN ${sourceArn}: ${decision.reason})`);
  throw internalServerError('API_CONFIGURATION_ERROR', 500);
}
