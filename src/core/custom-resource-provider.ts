import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeFindings, arnReference } from './acknowledge';

/**
 * A CDK Provider framework for one of our onEvent handlers, with its log
 * group, and the rule-pack findings of the framework's own function and role
 * (aws-cdk-lib's, not ours to change) acknowledged with their reasons.
 */
export function createCustomResourceProvider(scope: Construct, id: string, onEventHandler: lambda.IFunction): cr.Provider {
  const provider = new cr.Provider(scope, id, {
    onEventHandler,
    logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY }),
  });
  acknowledgeFindings(provider, () => ({
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      'The Provider framework function (aws-cdk-lib) writes its logs with AWSLambdaBasicExecutionRole.',
    [`AwsSolutions-IAM5[Resource::${arnReference(onEventHandler)}:*]`]:
      'The Provider framework function (aws-cdk-lib) may invoke its handler\'s versions (its ARN with :*), and only that handler.',
    'AwsSolutions-L1': 'The Provider framework function\'s runtime is chosen by aws-cdk-lib.',
  }));
  return provider;
}
