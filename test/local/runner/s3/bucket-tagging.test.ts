/** GetBucketTagging on the local S3, with the real S3 client: the template's bucket tags, NoSuchTagSet, IAM. */
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import { startHarness, type S3Harness } from './harness';
import { bucketTagsOf, routeS3Request } from '../../../../local/runner/s3';
import { user } from '../kms/fake-access-control';

const reader = user('reader');
const outsider = user('outsider');
let h: S3Harness;

beforeAll(async () => {
  h = await startHarness([reader, outsider]);
  h.s3.createBucket({ name: 'tagged', tags: bucketTagsOf({ Tags: [{ Key: 'aws-cdk:auto-delete-objects', Value: 'true' }, { Key: 'owner', Value: 'Res1' }] }) });
  h.s3.createBucket({ name: 'untagged' });
  h.accessControl.rules = [{ effect: 'Allow', principal: reader.arn, action: 's3:GetBucketTagging', resource: '*' }];
});
afterAll(() => h.api.close());

test('the tags the bucket was made with, in order', async () => {
  const { TagSet } = await h.client(reader).send(new GetBucketTaggingCommand({ Bucket: 'tagged' }));
  expect(TagSet).toEqual([{ Key: 'aws-cdk:auto-delete-objects', Value: 'true' }, { Key: 'owner', Value: 'Res1' }]);
  expect(h.accessControl.requests.at(-1)).toMatchObject({ action: 's3:GetBucketTagging', resource: 'arn:aws:s3:::tagged' });
});

test('a bucket without tags is NoSuchTagSet (404), as S3 answers', async () => {
  await expect(h.client(reader).send(new GetBucketTaggingCommand({ Bucket: 'untagged' })))
    .rejects.toMatchObject({ name: 'NoSuchTagSet', $metadata: { httpStatusCode: 404 } });
});

test('without s3:GetBucketTagging: AccessDenied', async () => {
  await expect(h.client(outsider).send(new GetBucketTaggingCommand({ Bucket: 'tagged' }))).rejects.toMatchObject({ name: 'AccessDenied' });
});

test('only the bucket\'s ?tagging is served; an object\'s is still NotImplemented', () => {
  expect(routeS3Request('GET', '/tagged?tagging', 'localhost')).toMatchObject({ operation: 'GetBucketTagging', bucket: 'tagged' });
  expect(() => routeS3Request('GET', '/tagged/k?tagging', 'localhost')).toThrow(expect.objectContaining({ code: 'NotImplemented' }));
});
