import { DeleteObjectsCommand, GetObjectCommand, GetObjectCommandOutput, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CA_FILES, CaVault, normalizePrefix } from '../../../../lambda-assets/shared/vault/ca-vault';

const s3 = mockClient(S3Client);
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const CA_ID = 'c'.repeat(64);

afterAll(() => s3.restore());
beforeEach(() => s3.reset());

function vault(prefix: string, options: { kmsKeyArn?: string } = { kmsKeyArn: KEY_ARN }) {
  return new CaVault(new S3Client({ region: 'eu-west-1' }), { bucket: 'vault', prefix, kmsKeyArn: options.kmsKeyArn });
}

describe('CaVault key layout', () => {
  test.each([
    ['', `${CA_ID}/ca.cert.pem`],
    ['/', `${CA_ID}/ca.cert.pem`],
    ['cas', `cas/${CA_ID}/ca.cert.pem`],
    ['/cas/', `cas/${CA_ID}/ca.cert.pem`],
    ['//tenant/a/cas//', `tenant/a/cas/${CA_ID}/ca.cert.pem`],
  ])('prefix %p -> %s', (prefix, key) => {
    expect(vault(prefix).objectKey(CA_ID, CA_FILES.certificate)).toBe(key);
  });

  test('normalizePrefix strips leading and trailing slashes only', () => {
    expect(normalizePrefix(undefined)).toBe('');
    expect(normalizePrefix('/a/b/')).toBe('a/b');
    expect(normalizePrefix('a//b')).toBe('a//b');
  });

  test('the file names', () => {
    expect(CA_FILES).toEqual({
      certificate: 'ca.cert.pem',
      privateKey: 'ca.private_key.pem',
      publicKey: 'ca.public_key.pem',
      verificationCertificate: 'verification.cert.pem',
      metadata: 'ca.json',
      kmsKey: 'ca.kms_key.json',
    });
  });
});

describe('CaVault writes and reads', () => {
  test('putFiles writes each file SSE-KMS under the vault key, with a content type', async () => {
    s3.on(PutObjectCommand).resolves({});

    await vault('cas').putFiles(CA_ID, { 'ca.cert.pem': 'CERT', 'ca.json': '{}' });

    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'vault', Key: `cas/${CA_ID}/ca.cert.pem`, Body: 'CERT', ContentType: 'application/x-pem-file', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN },
      { Bucket: 'vault', Key: `cas/${CA_ID}/ca.json`, Body: '{}', ContentType: 'application/json', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN },
    ]);
  });

  test('without a key ARN, SSE-KMS is still requested (S3 then picks the key)', async () => {
    s3.on(PutObjectCommand).resolves({});
    await vault('', {}).putFiles(CA_ID, { 'ca.cert.pem': 'CERT' });
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Key: `${CA_ID}/ca.cert.pem`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: undefined });
  });

  test('removeFiles deletes exactly the given files in one call, and nothing for none', async () => {
    s3.on(DeleteObjectsCommand).resolves({});

    await vault('cas').removeFiles(CA_ID, ['ca.cert.pem', 'ca.private_key.pem']);
    await vault('cas').removeFiles(CA_ID, []);

    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
    expect(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input).toEqual({
      Bucket: 'vault',
      Delete: { Objects: [{ Key: `cas/${CA_ID}/ca.cert.pem` }, { Key: `cas/${CA_ID}/ca.private_key.pem` }], Quiet: true },
    });
  });

  test('readFile returns the text, undefined for a missing key, and rethrows other errors', async () => {
    const body = { transformToString: async () => 'PEM' } as unknown as GetObjectCommandOutput['Body'];
    s3.on(GetObjectCommand)
      .resolvesOnce({ Body: body })
      .rejectsOnce(new NoSuchKey({ message: 'missing', $metadata: {} }))
      .rejectsOnce(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'denied', $metadata: {} }));
    const v = vault('cas');

    await expect(v.readFile(CA_ID, 'ca.cert.pem')).resolves.toBe('PEM');
    await expect(v.readFile(CA_ID, 'ca.cert.pem')).resolves.toBeUndefined();
    await expect(v.readFile(CA_ID, 'ca.cert.pem')).rejects.toThrow('denied');
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'vault', Key: `cas/${CA_ID}/ca.cert.pem` });
  });
});

describe('CaVault issued-certificate records', () => {
  const CSR_HASH = 'a'.repeat(64);
  const RECORD = { certificateId: 'd'.repeat(64), certificatePem: 'CERT', issuedAt: '2026-01-01T00:00:00.000Z' };
  const textBody = (text: string) => ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];
  const s3Error = (name: string, httpStatusCode: number) =>
    new S3ServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode } });

  test('live under <prefix>/<caId>/issued/<sha256>.json; only a SHA-256 names one', () => {
    expect(vault('/cas/').issuedRecordKey(CA_ID, CSR_HASH)).toBe(`cas/${CA_ID}/issued/${CSR_HASH}.json`);
    expect(vault('').issuedRecordKey(CA_ID, CSR_HASH)).toBe(`${CA_ID}/issued/${CSR_HASH}.json`);
    expect(() => vault('cas').issuedRecordKey(CA_ID, '../ca.private_key')).toThrow(/SHA-256/);
  });

  test('putIssuedRecord writes JSON, SSE-KMS, only if no record exists', async () => {
    s3.on(PutObjectCommand).resolves({});

    await expect(vault('cas').putIssuedRecord(CA_ID, CSR_HASH, RECORD)).resolves.toEqual({ stored: true, record: RECORD });

    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'vault',
      Key: `cas/${CA_ID}/issued/${CSR_HASH}.json`,
      Body: JSON.stringify(RECORD),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      IfNoneMatch: '*',
    });
  });

  test('a record stored first by a concurrent request wins: its certificate is returned, ours dropped', async () => {
    const theirs = { ...RECORD, certificateId: 'e'.repeat(64), certificatePem: 'THEIR CERT' };
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(GetObjectCommand).resolves({ Body: textBody(JSON.stringify(theirs)) });

    await expect(vault('cas').putIssuedRecord(CA_ID, CSR_HASH, RECORD)).resolves.toEqual({ stored: false, record: theirs });
  });

  test('other write failures propagate, as does a precondition failure with no record to read', async () => {
    s3.on(PutObjectCommand).rejectsOnce(s3Error('AccessDenied', 403)).rejectsOnce(s3Error('ConditionalRequestConflict', 409));
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'missing', $metadata: {} }));

    await expect(vault('cas').putIssuedRecord(CA_ID, CSR_HASH, RECORD)).rejects.toThrow('AccessDenied');
    await expect(vault('cas').putIssuedRecord(CA_ID, CSR_HASH, RECORD)).rejects.toThrow('ConditionalRequestConflict');
  });

  test('readIssuedRecord: the record, undefined when missing (NoSuchKey or NotFound), an error when corrupt', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce({ Body: textBody(JSON.stringify(RECORD)) })
      .rejectsOnce(new NoSuchKey({ message: 'missing', $metadata: {} }))
      .rejectsOnce(s3Error('NotFound', 404))
      .resolvesOnce({ Body: textBody('{"certificateId": 1}') })
      .resolvesOnce({ Body: textBody('not json') });
    const v = vault('cas');

    await expect(v.readIssuedRecord(CA_ID, CSR_HASH)).resolves.toEqual(RECORD);
    await expect(v.readIssuedRecord(CA_ID, CSR_HASH)).resolves.toBeUndefined();
    await expect(v.readIssuedRecord(CA_ID, CSR_HASH)).resolves.toBeUndefined();
    await expect(v.readIssuedRecord(CA_ID, CSR_HASH)).rejects.toThrow(`the vault record cas/${CA_ID}/issued/${CSR_HASH}.json is not an issued-certificate record`);
    await expect(v.readIssuedRecord(CA_ID, CSR_HASH)).rejects.toThrow(/is not an issued-certificate record/);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'vault', Key: `cas/${CA_ID}/issued/${CSR_HASH}.json` });
  });
});
