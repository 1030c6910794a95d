import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/**
 * The removal policy a construct's data gets: DESTROY unless the user chose otherwise.
 * SNAPSHOT is refused: S3 buckets, KMS keys and log groups cannot be snapshotted.
 */
export function checkRemovalPolicy(policy: RemovalPolicy | undefined, prop: string): RemovalPolicy {
  const chosen = policy ?? RemovalPolicy.DESTROY;
  if (chosen === RemovalPolicy.SNAPSHOT) {
    throw new Error(`${prop}: RemovalPolicy.SNAPSHOT does not apply to S3 buckets, KMS keys or log groups; choose DESTROY (the default) or RETAIN`);
  }
  return chosen;
}

/**
 * Gives every log group under `scope` the removal policy: the handler functions, the custom
 * resource providers and the REST APIs deep in a construct's tree each make one (DESTROY when
 * made; the construct's `removalPolicy` decides in the end).
 */
export function applyLogGroupRemovalPolicy(scope: IConstruct, policy: RemovalPolicy): void {
  for (const construct of scope.node.findAll()) {
    if (construct instanceof logs.LogGroup) construct.applyRemovalPolicy(policy);
  }
}
