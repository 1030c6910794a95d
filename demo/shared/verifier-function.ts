/**
 * A demo verifier (a user's Lambda on the documented verifier contract) deployed as a user
 * should deploy one: a log group the stack owns (so `cdk destroy` removes it; Lambda's own
 * `/aws/lambda/<name>` group would outlive the stack) and a role that may write to that log
 * group alone, rather than AWSLambdaBasicExecutionRole (logs on every log group in the account).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface VerifierFunctionProps {
  /** The handler's source (exports.handler), inline. */
  readonly code: string;
  readonly environment?: Record<string, string>;
  readonly description?: string;
}

/** The function, its role `<id>ServiceRole` and its log group `<id>Logs`, beside each other in `scope`. */
export function verifierFunction(scope: Construct, id: string, props: VerifierFunctionProps): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}ServiceRole`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Role of the demo verifier ${id}: writes its own log group, nothing else`,
  });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, {
    code: lambda.Code.fromInline(props.code),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    description: props.description,
    environment: props.environment,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
  });
}
