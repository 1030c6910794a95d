import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { isAwsError } from '../shared/iot/aws-errors';

/**
 * The vault bucket's tag naming the custom resource whose Delete deletes the CA keys. The construct
 * sets it in the same template as the resource; see whoMayDeleteCaKeys for why.
 */
export const CA_KEY_DELETION_TAG = 'cdk-iot-security:ca-keys-deleted-by';

/**
 * Who may delete the CA keys now: the logical id the vault bucket's tag names, undefined when the
 * tag is gone, or 'bucket-gone'. CloudFormation sends a custom resource Delete not only when the
 * stack is deleted but also when the resource leaves the template (vault.removalPolicy turned to
 * RETAIN, caKeyStorage back to VAULT), when its logical id changes, and when an update that created
 * it rolls back. Those updates change or remove the tag before the Delete comes (cleanup and
 * rollback-cleanup run last), so only a stack deletion finds the tag still naming the resource.
 * aws-cdk-lib's auto-delete-objects resource guards the bucket's emptying with a tag the same way.
 */
export async function whoMayDeleteCaKeys(s3: S3Client, bucket: string): Promise<string | undefined | 'bucket-gone'> {
  try {
    const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return TagSet?.find((tag) => tag.Key === CA_KEY_DELETION_TAG)?.Value;
  } catch (error) {
    if (isAwsError(error, 'NoSuchTagSet')) return undefined;
    if (isAwsError(error, 'NoSuchBucket')) return 'bucket-gone';
    throw error;
  }
}
