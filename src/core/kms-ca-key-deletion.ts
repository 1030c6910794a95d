import { CfnResource, CustomResource, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CaVault } from './ca-vault';
import { createCustomResourceProvider } from './custom-resource-provider';
import { HandlerFunction } from './handler-function';
import { attachRolePolicy } from './role-policy';

/** The vault bucket's tag naming the resource whose Delete deletes the CA keys (lambda-assets/ca-key-deletion/deletion-owner.ts). */
const CA_KEY_DELETION_TAG = 'cdk-iot-security:ca-keys-deleted-by';
/** The tag the CA registrator puts on each CA key (lambda-assets/shared/iot/ownership-tags.ts). */
const REGISTRAR_TAG = 'cdk-iot-security:registrar';
/** KMS's longest waiting period: the deletion of a CA key can be cancelled for 30 days. */
const PENDING_WINDOW_DAYS = 30;

export interface KmsCaKeyDeletionProps {
  readonly vault: CaVault;
  /** The vault's own bucket (createdVaultBucket): it goes with the stack, and carries the tag. */
  readonly bucket: s3.Bucket;
  /** The registrar tag value of the keys this stack made: the only keys it may schedule for deletion. */
  readonly registrarId: string;
}

/**
 * Deletes the KMS-held CA keys with the stack. The CA registrator makes them at run time, outside
 * CloudFormation, so a custom resource's Delete schedules each key its vault record names for
 * deletion (30 days, cancellable). Only a stack deletion does: the vault bucket's tag names this
 * resource, and an update that removes or replaces the resource changes the tag first.
 */
export class KmsCaKeyDeletion extends Construct {
  constructor(scope: Construct, id: string, props: KmsCaKeyDeletionProps) {
    super(scope, id);
    const { vault, bucket } = props;
    const handler = new HandlerFunction(this, 'Handler', {
      handlerName: 'ca-key-deletion',
      description: 'On stack deletion, schedules the deletion of the KMS-held CA keys the CA vault names',
      // One S3 read and one KMS call per CA, throttled calls retried: minutes for thousands of CAs.
      timeout: Duration.minutes(5),
      environment: { VAULT_BUCKET: bucket.bucketName, VAULT_PREFIX: vault.prefix },
    });
    const stack = Stack.of(this);
    const access = attachRolePolicy(this, 'Access', handler.role, [
      new iam.PolicyStatement({
        // GetBucketTagging: whose Delete this is. ListBucket: the CA folders, and NoSuchKey (not AccessDenied) for a CA with no record.
        actions: ['s3:GetBucketTagging', 's3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(vault.prefix ? `${vault.prefix}/*/ca.kms_key.json` : '*/ca.kms_key.json')],
      }),
      new iam.PolicyStatement({
        // The records are SSE-KMS under the vault key.
        actions: ['kms:Decrypt'],
        resources: [vault.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        actions: ['kms:ScheduleKeyDeletion'],
        resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
        conditions: {
          StringEquals: { [`aws:ResourceTag/${REGISTRAR_TAG}`]: props.registrarId },
          NumericEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': PENDING_WINDOW_DAYS },
        },
      }),
    ], 'CA folders and CA keys are made at run time, so their names are unknown here: the objects are the vault\'s ca.kms_key.json records only, '
      + 'the keys only those tagged with this construct\'s registrar id, scheduled with the 30-day waiting period only.');
    const provider = createCustomResourceProvider(this, 'Provider', handler.function);
    const resource = new CustomResource(this, 'Resource', { serviceToken: provider.serviceToken, resourceType: 'Custom::KmsCaKeyDeletion' });
    // CloudFormation deletes dependents first: the keys are scheduled while the records still exist (before the
    // bucket's auto-delete-objects resource empties it) and while the function may still read and schedule them.
    resource.node.addDependency(bucket, access);
    Tags.of(bucket).add(CA_KEY_DELETION_TAG, (resource.node.defaultChild as CfnResource).logicalId);
  }
}
