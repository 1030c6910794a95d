import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command,
  NoSuchBucket, NoSuchKey, PutObjectCommand, S3ServiceException,
} from '@aws-sdk/client-s3';
import { startHarness, type S3Harness } from './harness';
import { user } from '../kms/fake-access-control';

const writer = user('writer');
const readerWithoutKms = user('reader');
const outsider = user('outsider');
const BUCKET = 'vault-bucket';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

describe('local S3 API with the real S3 client', () => {
  let h: S3Harness;
  let keyArn: string;

  beforeAll(async () => {
    h = await startHarness([writer, readerWithoutKms, outsider]);
    keyArn = h.kms.createKey({ description: 'vault' }).arn;
    h.s3.createBucket({ name: BUCKET });
  });
  afterAll(() => h.api.close());
  beforeEach(() => {
    h.accessControl.requests.length = 0;
    h.accessControl.rules = [
      { effect: 'Allow', principal: writer.arn, action: 's3:*', resource: '*' },
      { effect: 'Allow', principal: writer.arn, action: 'kms:*', resource: '*' },
      { effect: 'Allow', principal: readerWithoutKms.arn, action: 's3:GetObject', resource: `${BUCKET_ARN}/*` },
    ];
  });

  async function put(key: string, body: string | Uint8Array, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) {
    return h.client(writer).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra }));
  }

  async function read(key: string, who = writer, versionId?: string): Promise<Buffer> {
    const object = await h.client(who).send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  test('put and get round trip: text, binary, unicode keys; ETag is the quoted MD5', async () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const unicodeKey = 'données/ключ 🔑 +&=?#%.txt';
    const put1 = await put('plain.txt', 'hello world', { ContentType: 'text/plain', Metadata: { owner: 'ops' } });
    expect(put1.ETag).toBe(`"${createHash('md5').update('hello world').digest('hex')}"`);
    await put('binary.bin', binary);
    await put(unicodeKey, 'ünïcödé ✓');

    expect((await read('plain.txt')).toString()).toBe('hello world');
    expect((await read('binary.bin')).equals(binary)).toBe(true);
    expect((await read(unicodeKey)).toString()).toBe('ünïcödé ✓');

    const head = await h.client(writer).send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'plain.txt' }));
    expect(head).toMatchObject({ ContentLength: 11, ContentType: 'text/plain', Metadata: { owner: 'ops' }, ETag: put1.ETag, ServerSideEncryption: 'AES256' });
    expect(h.accessControl.requests.map((r) => r.resource)).toContain(`${BUCKET_ARN}/${unicodeKey}`);
  });

  test('If-None-Match: * writes only a new key: a second write is 412 PreconditionFailed and keeps the first', async () => {
    await put('issued/once.json', 'first', { IfNoneMatch: '*' });
    const refusal = await put('issued/once.json', 'second', { IfNoneMatch: '*' }).catch((error: S3ServiceException) => error);
    expect(refusal).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect((await read('issued/once.json')).toString()).toBe('first');
    await h.client(writer).send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'issued/once.json' }));
    await put('issued/once.json', 'after delete', { IfNoneMatch: '*' });
    expect((await read('issued/once.json')).toString()).toBe('after delete');
    await expect(put('issued/once.json', 'swap', { IfMatch: '"abc"' })).rejects.toMatchObject({ name: 'NotImplemented' });
  });

  test('SSE-KMS: headers returned, bytes at rest are ciphertext, the data key comes from KMS as the caller', async () => {
    const written = await put('ca/ca.private_key.pem', 'PRIVATE KEY', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(written).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(h.accessControl.requests).toEqual(expect.arrayContaining([
      expect.objectContaining({
        action: 's3:PutObject',
        resource: `${BUCKET_ARN}/ca/ca.private_key.pem`,
        context: expect.objectContaining({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn }),
      }),
      expect.objectContaining({ principal: expect.objectContaining({ arn: writer.arn }), action: 'kms:GenerateDataKey', resource: keyArn }),
    ]));

    const stored = h.s3.bucket(BUCKET)!.current('ca/ca.private_key.pem')!;
    expect(stored.storedData.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    expect(stored.sealing).toMatchObject({ algorithm: 'aws:kms', kmsKeyArn: keyArn });

    const object = await h.client(writer).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'ca/ca.private_key.pem' }));
    expect(object).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(await object.Body!.transformToString()).toBe('PRIVATE KEY');
  });

  test('a caller without kms:Decrypt cannot read an SSE-KMS object, though it may head it', async () => {
    await put('secret.txt', 'top secret', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const error = await h.client(readerWithoutKms).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((error as Error).message).toMatch(/kms:Decrypt/);
    const head = await h.client(readerWithoutKms).send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' }));
    expect(head).toMatchObject({ ContentLength: 10, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    h.accessControl.rules.push({ effect: 'Allow', principal: readerWithoutKms.arn, action: 's3:GetObject', resource: `${BUCKET_ARN}/*` });
    h.accessControl.rules.push({ effect: 'Allow', principal: readerWithoutKms.arn, action: 'kms:Decrypt', resource: keyArn });
    expect((await read('secret.txt', readerWithoutKms)).toString()).toBe('top secret');
  });

  test('a caller without kms:GenerateDataKey cannot write SSE-KMS', async () => {
    h.accessControl.rules = h.accessControl.rules.filter((rule) => rule.action !== 'kms:*');
    await expect(put('x.txt', 'x', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }))
      .rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringMatching(/kms:GenerateDataKey/) });
    expect(h.s3.bucket(BUCKET)!.current('x.txt')).toBeUndefined();
  });

  test('an unknown KMS key is KMS.NotFoundException', async () => {
    await expect(put('x.txt', 'x', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/nope' }))
      .rejects.toMatchObject({ name: 'KMS.NotFoundException', $metadata: { httpStatusCode: 400 } });
  });

  test('SSE-C is refused as not implemented rather than ignored', async () => {
    await expect(put('ssec.txt', 'x', { SSECustomerAlgorithm: 'AES256', SSECustomerKey: 'k'.repeat(32) }))
      .rejects.toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
  });

  test('bucket default encryption aws:kms applies to a plain PUT', async () => {
    h.s3.createBucket({ name: 'default-kms', defaultEncryption: { algorithm: 'aws:kms', kmsKeyArn: keyArn } });
    const written = await h.client(writer).send(new PutObjectCommand({ Bucket: 'default-kms', Key: 'k', Body: 'v' }));
    expect(written).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(h.s3.bucket('default-kms')!.current('k')!.sealing!.algorithm).toBe('aws:kms');
  });

  test('SSE-KMS without a key, in a bucket without a KMS default, uses the aws/s3 key', async () => {
    const written = await put('managed.txt', 'm', { ServerSideEncryption: 'aws:kms' });
    expect(written.SSEKMSKeyId).toBe(h.kms.keyArnOf('alias/aws/s3'));
    expect((await read('managed.txt')).toString()).toBe('m');
  });

  test('DeleteObjects reports a per-key AccessDenied and deletes the rest', async () => {
    await put('batch/a', 'a');
    await put('batch/b', 'b');
    h.accessControl.rules.push({ effect: 'Deny', principal: writer.arn, action: 's3:DeleteObject', resource: `${BUCKET_ARN}/batch/b` });
    const result = await h.client(writer).send(new DeleteObjectsCommand({
      Bucket: BUCKET, Delete: { Objects: [{ Key: 'batch/a' }, { Key: 'batch/b' }, { Key: 'batch/never-existed' }] },
    }));
    expect(result.Deleted?.map((d) => d.Key)).toEqual(['batch/a', 'batch/never-existed']);
    expect(result.Errors).toEqual([expect.objectContaining({ Key: 'batch/b', Code: 'AccessDenied' })]);
    expect(h.s3.bucket(BUCKET)!.current('batch/a')).toBeUndefined();
    expect((await read('batch/b')).toString()).toBe('b');

    const quiet = await h.client(writer).send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'batch/b' }, { Key: 'q&<>' }], Quiet: true } }));
    expect(quiet.Deleted).toBeUndefined();
    expect(quiet.Errors).toEqual([expect.objectContaining({ Key: 'batch/b' })]);
  });

  test('NoSuchKey and NoSuchBucket are the SDK typed exceptions; HEAD answers NotFound', async () => {
    const missingKey = await h.client(writer).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nope' })).catch((e: unknown) => e);
    expect(missingKey).toBeInstanceOf(NoSuchKey);
    expect(missingKey).toMatchObject({ $metadata: { httpStatusCode: 404 }, Key: 'nope' });
    const missingBucket = await h.client(writer).send(new GetObjectCommand({ Bucket: 'no-bucket', Key: 'k' })).catch((e: unknown) => e);
    expect(missingBucket).toBeInstanceOf(NoSuchBucket);
    await expect(h.client(writer).send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nope' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  test('without s3:ListBucket a missing key is AccessDenied, as S3 does not reveal absence', async () => {
    await expect(h.client(readerWithoutKms).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nope' })))
      .rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  test('a denied principal gets AccessDenied for put, get, delete and list', async () => {
    await put('guarded.txt', 'g');
    const client = h.client(outsider);
    for (const command of [
      new PutObjectCommand({ Bucket: BUCKET, Key: 'guarded.txt', Body: 'x' }),
      new GetObjectCommand({ Bucket: BUCKET, Key: 'guarded.txt' }),
      new DeleteObjectCommand({ Bucket: BUCKET, Key: 'guarded.txt' }),
      new ListObjectsV2Command({ Bucket: BUCKET }),
    ]) {
      const error = await client.send(command as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(S3ServiceException);
      expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    }
    expect((await read('guarded.txt')).toString()).toBe('g');
  });

  test('the bucket policy goes to AccessControl as the resource policy, with aws:SecureTransport', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny' as const, Principal: { AWS: '*' }, Action: 's3:*', Resource: '*' }] };
    h.s3.setBucketPolicy(BUCKET, policy);
    try {
      await put('p.txt', 'p');
      expect(h.accessControl.requests[0]).toMatchObject({ resourcePolicy: policy, context: { 'aws:SecureTransport': 'true' } });
    } finally {
      h.s3.setBucketPolicy(BUCKET, undefined);
    }
  });

  test('a bad signature is 403 SignatureDoesNotMatch; an unknown key InvalidAccessKeyId', async () => {
    await expect(h.client(writer, { secretAccessKey: 'wrong' }).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'plain.txt' })))
      .rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    const nobody = { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x', arn: 'arn:aws:iam::123456789012:role/nobody' };
    await expect(h.client(nobody).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })))
      .rejects.toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
  });

  test('versioning: versions, delete markers, GetObjectVersion and permanent version deletes', async () => {
    h.s3.createBucket({ name: 'versioned', versioned: true });
    const client = h.client(writer);
    const v1 = await client.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'doc', Body: 'one' }));
    const v2 = await client.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'doc', Body: 'two' }));
    expect(v1.VersionId).toBeDefined();
    expect(v1.VersionId).not.toBe(v2.VersionId);

    const latest = await client.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc' }));
    expect(latest.VersionId).toBe(v2.VersionId);
    expect(await latest.Body!.transformToString()).toBe('two');
    h.accessControl.requests.length = 0;
    const old = await client.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc', VersionId: v1.VersionId }));
    expect(await old.Body!.transformToString()).toBe('one');
    expect(h.accessControl.requests[0].action).toBe('s3:GetObjectVersion');

    const deleted = await client.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'doc' }));
    expect(deleted.DeleteMarker).toBe(true);
    await expect(client.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc' }))).rejects.toBeInstanceOf(NoSuchKey);
    expect(await (await client.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc', VersionId: v2.VersionId }))).Body!.transformToString()).toBe('two');
    expect((await client.send(new ListObjectsV2Command({ Bucket: 'versioned' }))).KeyCount).toBe(0);

    // Removing the delete marker restores the previous version.
    const unmarked = await client.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'doc', VersionId: deleted.VersionId }));
    expect(unmarked).toMatchObject({ DeleteMarker: true, VersionId: deleted.VersionId });
    expect(await (await client.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc' }))).Body!.transformToString()).toBe('two');

    await client.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'doc', VersionId: v2.VersionId }));
    expect(await (await client.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc' }))).Body!.transformToString()).toBe('one');
    await expect(client.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc', VersionId: v2.VersionId })))
      .rejects.toMatchObject({ name: 'NoSuchVersion', $metadata: { httpStatusCode: 404 } });
  });

  test('ListObjectsV2: prefix, delimiter, pagination, unicode', async () => {
    h.s3.createBucket({ name: 'listing' });
    const client = h.client(writer);
    const keys = ['logs/2024/a.txt', 'logs/2024/b.txt', 'logs/2025/c.txt', 'logs/top.txt', 'other/x', 'logs/ü.txt'];
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: 'listing', Key: key, Body: key }));

    const withPrefix = await client.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'logs/' }));
    expect(withPrefix.Contents?.map((c) => c.Key)).toEqual(['logs/2024/a.txt', 'logs/2024/b.txt', 'logs/2025/c.txt', 'logs/top.txt', 'logs/ü.txt']);
    expect(withPrefix.Contents?.[0]).toMatchObject({ Size: 15, ETag: `"${createHash('md5').update('logs/2024/a.txt').digest('hex')}"` });
    expect(withPrefix).toMatchObject({ KeyCount: 5, IsTruncated: false, Prefix: 'logs/' });

    const grouped = await client.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'logs/', Delimiter: '/' }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['logs/2024/', 'logs/2025/']);
    expect(grouped.Contents?.map((c) => c.Key)).toEqual(['logs/top.txt', 'logs/ü.txt']);

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 2, ContinuationToken: token }));
      pages.push((page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(pages.flat()).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(pages).toHaveLength(3);
    expect(h.accessControl.requests.at(-1)).toMatchObject({ action: 's3:ListBucket', resource: 'arn:aws:s3:::listing' });
  });

  test('streamed uploads arrive aws-chunked with a CRC32 trailer; GetObject returns the checksum', async () => {
    const client = h.client(writer);
    const body = Readable.from([Buffer.from('hello '), Buffer.from('chunked '), Buffer.from('world')]);
    const written = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed', Body: body, ContentLength: 19 }));
    expect(written.ChecksumCRC32).toBeDefined();
    expect(h.accessControl.authenticated.at(-1)!.headers).toMatchObject({
      'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed', ChecksumMode: 'ENABLED' }));
    expect(object.ChecksumCRC32).toBe(written.ChecksumCRC32);
    expect(await object.Body!.transformToString()).toBe('hello chunked world');

    const crc32c = Readable.from([Buffer.from('castagnoli')]);
    const sent = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crc32c', Body: crc32c, ContentLength: 10, ChecksumAlgorithm: 'CRC32C' }));
    expect(sent.ChecksumCRC32C).toBeDefined();
    expect((await read('crc32c')).toString()).toBe('castagnoli');
  });

  test('with requestChecksumCalculation WHEN_REQUIRED: plain bodies, DeleteObjects still checksummed', async () => {
    const client = h.client(writer, { requestChecksumCalculation: 'WHEN_REQUIRED' });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'when-required', Body: 'minimal', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }));
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'when-required' }));
    expect(await object.Body!.transformToString()).toBe('minimal');
    const result = await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'when-required' }] } }));
    expect(result.Deleted).toEqual([expect.objectContaining({ Key: 'when-required' })]);
  });

  test('Content-MD5 is verified: a wrong one is BadDigest, a right one accepted', async () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('base64');
    await expect(put('md5.txt', 'data', { ContentMD5: md5('other') })).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    await put('md5.txt', 'data', { ContentMD5: md5('data') });
    expect((await read('md5.txt')).toString()).toBe('data');
  });

  test('Range requests return 206 slices; an unsatisfiable range is InvalidRange', async () => {
    await put('range.txt', '0123456789', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const client = h.client(writer);
    const slice = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=2-5' }));
    expect(slice).toMatchObject({ ContentRange: 'bytes 2-5/10', ContentLength: 4, $metadata: { httpStatusCode: 206 } });
    expect(await slice.Body!.transformToString()).toBe('2345');
    const suffix = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=-3' }));
    expect(await suffix.Body!.transformToString()).toBe('789');
    await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=20-' })))
      .rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  });

  test('HeadBucket needs s3:ListBucket; a missing bucket is NotFound', async () => {
    const answer = await h.client(writer).send(new HeadBucketCommand({ Bucket: BUCKET }));
    expect(answer.BucketRegion).toBe('us-east-1');
    await expect(h.client(writer).send(new HeadBucketCommand({ Bucket: 'no-bucket' }))).rejects.toMatchObject({ name: 'NotFound' });
    await expect(h.client(outsider).send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });
});
