import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * A regional REST API as every API of the library is deployed: access logs,
 * stage throttling, and request-body errors in the handlers' shape
 * (`{error: {code, message}}`).
 */
export function createRestApi(scope: Construct, id: string, description: string): apigw.RestApi {
  const api = new apigw.RestApi(scope, id, {
    description,
    endpointTypes: [apigw.EndpointType.REGIONAL],
    // The account-wide API Gateway logging role is not a library's to take over.
    cloudWatchRole: false,
    deployOptions: {
      stageName: 'prod',
      accessLogDestination: new apigw.LogGroupLogDestination(new logs.LogGroup(scope, 'AccessLogs', {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.DESTROY,
      })),
      accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
    },
  });
  api.addGatewayResponse('BadRequestBody', {
    type: apigw.ResponseType.BAD_REQUEST_BODY,
    statusCode: '400',
    templates: { 'application/json': '{"error":{"code":"InvalidBody","message":"$context.error.validationErrorString"}}' },
  });
  Validations.of(api).acknowledge(
    { id: 'AwsSolutions-APIG3', reason: 'Callers are authenticated with SigV4 (or the authorizer you chose); attach a WAF web ACL to the stage if you need one.' },
    { id: 'AwsSolutions-APIG6', reason: 'Execution logs need the account-wide API Gateway CloudWatch role, which a library must not change; access logs are on.' },
    { id: 'AwsSolutions-COG4', reason: 'The method uses IAM (or a user-chosen) authorization, not a Cognito user pool.' },
  );
  return api;
}
