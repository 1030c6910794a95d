/** The local S3's buckets, created from the synthesized template or by tests. */
import { randomBytes } from 'node:crypto';
import type { PolicyDocument } from '../iam/types';
import type { ResolvedResource } from '../types';
import { BucketStore, type BucketSettings, type DefaultEncryption } from './bucket-store';
import { S3Error, s3Errors } from './errors';

export interface LocalS3Options {
  /** Default 'us-east-1'. */
  readonly region?: string;
}

/** BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault of an AWS::S3::Bucket. */
function defaultEncryptionOf(properties: Readonly<Record<string, unknown>>): DefaultEncryption | undefined {
  const bucketEncryption = properties.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined;
  const configuration = bucketEncryption?.ServerSideEncryptionConfiguration;
  const byDefault = (configuration?.[0] as { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string } } | undefined)
    ?.ServerSideEncryptionByDefault;
  if (!byDefault?.SSEAlgorithm) return undefined;
  return byDefault.SSEAlgorithm === 'aws:kms'
    ? { algorithm: 'aws:kms', kmsKeyArn: byDefault.KMSMasterKeyID }
    : { algorithm: 'AES256' };
}

/** The Tags of an AWS::S3::Bucket ([{Key, Value}]) as a record. */
export function bucketTagsOf(properties: Readonly<Record<string, unknown>>): Record<string, string> {
  const tags = Array.isArray(properties.Tags) ? properties.Tags as { Key?: unknown; Value?: unknown }[] : [];
  return Object.fromEntries(tags.filter((tag) => typeof tag.Key === 'string').map((tag) => [tag.Key as string, String(tag.Value ?? '')]));
}

export class LocalS3 {
  readonly region: string;
  /** The key SSE-S3 (AES256) wraps every object's data key with: one per local S3, whichever path wrote the object. */
  readonly sseS3Key: Buffer = randomBytes(32);
  private readonly buckets = new Map<string, BucketStore>();

  constructor(options: LocalS3Options = {}) {
    this.region = options.region ?? 'us-east-1';
  }

  createBucket(settings: BucketSettings): BucketStore {
    if (this.buckets.has(settings.name)) {
      throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409);
    }
    const bucket = new BucketStore(settings);
    this.buckets.set(bucket.name, bucket);
    return bucket;
  }

  /** An AWS::S3::Bucket the runner resolved: physical id = bucket name, with its versioning and default encryption. */
  createBucketFromResource(resource: ResolvedResource): BucketStore {
    const versioning = resource.properties.VersioningConfiguration as { Status?: string } | undefined;
    return this.createBucket({
      name: resource.physicalId,
      arn: resource.attributes.Arn,
      versioned: versioning?.Status === 'Enabled',
      defaultEncryption: defaultEncryptionOf(resource.properties),
      tags: bucketTagsOf(resource.properties),
    });
  }

  setBucketPolicy(name: string, policy: PolicyDocument | undefined): void {
    this.requireBucket(name).policy = policy;
  }

  /** An AWS::S3::BucketPolicy: its Bucket property is the bucket name (a resolved Ref). */
  setBucketPolicyFromResource(resource: ResolvedResource): void {
    this.setBucketPolicy(String(resource.properties.Bucket), resource.properties.PolicyDocument as PolicyDocument);
  }

  setVersioning(name: string, enabled: boolean): void {
    this.requireBucket(name).versioned = enabled;
  }

  bucket(name: string): BucketStore | undefined {
    return this.buckets.get(name);
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  private requireBucket(name: string): BucketStore {
    const bucket = this.buckets.get(name);
    if (!bucket) throw s3Errors.noSuchBucket(name);
    return bucket;
  }
}
