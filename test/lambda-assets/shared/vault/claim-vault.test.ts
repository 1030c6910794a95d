import { DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CLAIM_FILES, ClaimVault } from '../../../../lambda-assets/shared/vault/claim-vault';

const s3 = mockClient(S3Client);
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const CERT_ID = 'f'.repeat(64);

afterAll(() => s3.restore());
beforeEach(() => s3.reset());

function vault(prefix: string, options: { kmsKeyArn?: string } = { kmsKeyArn: KEY_ARN }) {
  return new ClaimVault(new S3Client({ region: 'eu-west-1' }), { bucket: 'vault', prefix, kmsKeyArn: options.kmsKeyArn });
}

describe('ClaimVault key layout', () => {
  test.each([
    ['', `claims/${CERT_ID}/claim.cert.pem`],
    ['/', `claims/${CERT_ID}/claim.cert.pem`],
    ['ca-vault', `ca-vault/claims/${CERT_ID}/claim.cert.pem`],
    ['/tenant/a/', `tenant/a/claims/${CERT_ID}/claim.cert.pem`],
  ])('prefix %p -> %s', (prefix, key) => {
    expect(vault(prefix).objectKey(CERT_ID, CLAIM_FILES.certificate)).toBe(key);
  });

  test('the file names', () => {
    expect(CLAIM_FILES).toEqual({ certificate: 'claim.cert.pem', privateKey: 'claim.private_key.pem' });
  });

  test.each(['../ca', 'F'.repeat(64), 'f'.repeat(63), `${'f'.repeat(64)}/x`, ''])('only a certificate id names a claim: %p', (id) => {
    expect(() => vault('ca-vault').objectKey(id, CLAIM_FILES.privateKey)).toThrow(/certificate id/);
  });
});

describe('ClaimVault writes and removes', () => {
  test('putClaim writes the certificate, then the key, each SSE-KMS under the vault key', async () => {
    s3.on(PutObjectCommand).resolves({});

    await vault('ca-vault').putClaim(CERT_ID, { certificatePem: 'CERT', privateKeyPem: 'KEY' });

    const common = { Bucket: 'vault', ContentType: 'application/x-pem-file', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN };
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([
      { ...common, Key: `ca-vault/claims/${CERT_ID}/claim.cert.pem`, Body: 'CERT' },
      { ...common, Key: `ca-vault/claims/${CERT_ID}/claim.private_key.pem`, Body: 'KEY' },
    ]);
  });

  test('without a key ARN, SSE-KMS is still requested', async () => {
    s3.on(PutObjectCommand).resolves({});
    await vault('', {}).putClaim(CERT_ID, { certificatePem: 'CERT', privateKeyPem: 'KEY' });
    for (const call of s3.commandCalls(PutObjectCommand)) {
      expect(call.args[0].input).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: undefined });
    }
  });

  test('a failed certificate write stops before the key is written', async () => {
    s3.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    await expect(vault('ca-vault').putClaim(CERT_ID, { certificatePem: 'CERT', privateKeyPem: 'KEY' })).rejects.toThrow('AccessDenied');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  test('removeClaim deletes both files in one quiet call', async () => {
    s3.on(DeleteObjectsCommand).resolves({});

    await vault('ca-vault').removeClaim(CERT_ID);

    expect(s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input)).toEqual([{
      Bucket: 'vault',
      Delete: {
        Objects: [{ Key: `ca-vault/claims/${CERT_ID}/claim.cert.pem` }, { Key: `ca-vault/claims/${CERT_ID}/claim.private_key.pem` }],
        Quiet: true,
      },
    }]);
  });

  test('removeClaim fails when S3 reports keys it could not delete (DeleteObjects does not throw for them)', async () => {
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: `ca-vault/claims/${CERT_ID}/claim.private_key.pem`, Code: 'AccessDenied', Message: 'Access Denied' }],
    });

    await expect(vault('ca-vault').removeClaim(CERT_ID)).rejects.toThrow(
      `the vault could not delete ca-vault/claims/${CERT_ID}/claim.private_key.pem (AccessDenied: Access Denied)`,
    );
  });
});
