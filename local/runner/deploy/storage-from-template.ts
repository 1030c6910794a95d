/** KMS keys, S3 buckets and their bucket policies from the resolved template. */
import type { PolicyDocument } from '../iam/types';
import type { LocalKms } from '../kms';
import { bucketTagsOf, type LocalS3 } from '../s3';
import type { ResolvedResource } from '../types';

interface BucketEncryptionRule {
  readonly ServerSideEncryptionByDefault?: { readonly SSEAlgorithm?: string; readonly KMSMasterKeyID?: string };
}

/** Creates keys and their aliases, then buckets, then bucket policies; answers sentences for what is not modelled. */
export function createStorage(resources: readonly ResolvedResource[], kms: LocalKms, s3: LocalS3): string[] {
  const notRun: string[] = [];
  for (const key of resources.filter((resource) => resource.type === 'AWS::KMS::Key')) {
    const properties = key.properties as Record<string, any>;
    if (properties.KeySpec && properties.KeySpec !== 'SYMMETRIC_DEFAULT') {
      notRun.push(`${key.stackName}/${key.logicalId}: KMS key spec ${properties.KeySpec} is not modelled locally (symmetric keys only)`);
      continue;
    }
    // Its physical id and Arn attribute (the ARN the template's policies name), key policy, description and Enabled.
    kms.createKeyFromResource(key);
  }
  for (const alias of resources.filter((resource) => resource.type === 'AWS::KMS::Alias')) kms.createAliasFromResource(alias);
  for (const bucket of resources.filter((resource) => resource.type === 'AWS::S3::Bucket')) {
    const properties = bucket.properties as Record<string, any>;
    const rule = ((properties.BucketEncryption?.ServerSideEncryptionConfiguration ?? []) as BucketEncryptionRule[])[0]?.ServerSideEncryptionByDefault;
    s3.createBucket({
      name: bucket.physicalId,
      arn: bucket.attributes.Arn,
      versioned: properties.VersioningConfiguration?.Status === 'Enabled',
      tags: bucketTagsOf(properties),
      ...(rule?.SSEAlgorithm === 'aws:kms' || rule?.SSEAlgorithm === 'AES256'
        ? { defaultEncryption: { algorithm: rule.SSEAlgorithm, ...(rule.KMSMasterKeyID ? { kmsKeyArn: rule.KMSMasterKeyID } : {}) } }
        : {}),
    });
    if (properties.LoggingConfiguration) {
      notRun.push(`${bucket.stackName}/${bucket.logicalId}: server access logging is not written locally`);
    }
  }
  for (const policy of resources.filter((resource) => resource.type === 'AWS::S3::BucketPolicy')) {
    s3.setBucketPolicy(String(policy.properties.Bucket), policy.properties.PolicyDocument as PolicyDocument);
  }
  return notRun;
}
