import { KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { GetBucketTaggingCommand, GetObjectCommand, GetObjectCommandOutput, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const BUCKET = 'jitrstack-jitrvaultbucket-abc123';
export const LOGICAL_ID = 'JitrCaRegistratorCaKeyDeletion1A2B3C4D';
export const VAULT_ENV = { AWS_REGION: REGION, VAULT_BUCKET: BUCKET, VAULT_PREFIX: '' } as const;

/** A CA certificate id (64 hex) and the ARN of its key, by a short name. */
export const caId = (name: string) => name.padEnd(64, '0');
export const keyArn = (name: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}-0000-1111-2222-333344445555`;
export const record = (name: string) => JSON.stringify({ keyArn: keyArn(name), keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256' });

const SERVICE_TOKEN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:JitrStack-CaKeyDeletionProviderframeworkonEvent`;
const common = {
  ServiceToken: SERVICE_TOKEN,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/x',
  StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/JitrStack/5b2a4c10-1f1e-11f0-9a2b-0a1b2c3d4e5f`,
  RequestId: 'req-1',
  LogicalResourceId: LOGICAL_ID,
  ResourceType: 'Custom::KmsCaKeyDeletion',
  ResourceProperties: { ServiceToken: SERVICE_TOKEN },
};

export function resourceEvent(type: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  if (type === 'Create') return { ...common, RequestType: 'Create' };
  if (type === 'Update') return { ...common, RequestType: 'Update', PhysicalResourceId: 'kms-ca-key-deletion', OldResourceProperties: { ServiceToken: SERVICE_TOKEN } };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: 'kms-ca-key-deletion' };
}

const textBody = (text: string) => ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];

export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

/**
 * A vault bucket of mocked S3: `pages` are the CA folders of each ListObjectsV2 page (in order),
 * `objects` the bodies by key; a missing key answers NoSuchKey. The bucket's tag names LOGICAL_ID.
 */
export function mockVault(s3: AwsClientStub<S3Client>, pages: string[][], objects: Record<string, string>): void {
  s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'cdk-iot-security:ca-keys-deleted-by', Value: LOGICAL_ID }] });
  pages.forEach((folders, index) => {
    s3.on(ListObjectsV2Command, { Bucket: BUCKET, ContinuationToken: index === 0 ? undefined : `page-${index}` }).resolves({
      CommonPrefixes: folders.map((folder) => ({ Prefix: `${folder}/` })),
      IsTruncated: index < pages.length - 1,
      NextContinuationToken: index < pages.length - 1 ? `page-${index + 1}` : undefined,
    });
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    if (!(input.Key in objects)) throw awsError('NoSuchKey');
    return { Body: textBody(objects[input.Key]) };
  });
}

export const scheduled = (kms: AwsClientStub<KMSClient>) =>
  kms.commandCalls(ScheduleKeyDeletionCommand).map((call) => call.args[0].input);
