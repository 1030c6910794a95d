import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { FakeAccessControl, user, type FakeUser } from './fake-access-control';
import { LocalKms, startKmsApi, type RunningApi } from '../../../../local/runner/kms';

const admin = user('admin');
const reader = user('reader');
const stranger = user('stranger');

describe('KMS API', () => {
  const accessControl = new FakeAccessControl([admin, reader, stranger]);
  const kms = new LocalKms({ accessControl });
  const key = kms.createKey({ description: 'vault key' });
  kms.createAlias('alias/vault', key.keyId);
  let api: RunningApi;

  function client(who: FakeUser, secret = who.secretAccessKey): KMSClient {
    return new KMSClient({ endpoint: api.url, region: 'us-east-1', credentials: { accessKeyId: who.accessKeyId, secretAccessKey: secret } });
  }

  beforeAll(async () => {
    api = await startKmsApi({ kms, accessControl });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    accessControl.rules = [
      { effect: 'Allow', principal: admin.arn, action: 'kms:*', resource: '*' },
      { effect: 'Allow', principal: reader.arn, action: 'kms:Decrypt', resource: key.arn },
    ];
  });

  test('Encrypt and Decrypt round trip, Decrypt finding the key from the blob', async () => {
    const encrypted = await client(admin).send(new EncryptCommand({ KeyId: 'alias/vault', Plaintext: Buffer.from('secret'), EncryptionContext: { purpose: 'test' } }));
    expect(encrypted.KeyId).toBe(key.arn);
    expect(encrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(Buffer.from(encrypted.CiphertextBlob!).includes(Buffer.from('secret'))).toBe(false);

    const decrypted = await client(reader).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { purpose: 'test' } }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('secret');
    expect(decrypted.KeyId).toBe(key.arn);
  });

  test('a wrong encryption context is InvalidCiphertextException', async () => {
    const encrypted = await client(admin).send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('x'), EncryptionContext: { a: '1' } }));
    await expect(client(admin).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { a: '2' } })))
      .rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  test('GenerateDataKey returns a plaintext key and a blob that decrypts to it', async () => {
    const dataKey = await client(admin).send(new GenerateDataKeyCommand({ KeyId: key.arn, KeySpec: 'AES_256' }));
    expect(dataKey.Plaintext).toHaveLength(32);
    const decrypted = await client(admin).send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, KeyId: key.keyId }));
    expect(Buffer.from(decrypted.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).toBe(true);
    const sixteen = await client(admin).send(new GenerateDataKeyCommand({ KeyId: key.arn, NumberOfBytes: 16 }));
    expect(sixteen.Plaintext).toHaveLength(16);
  });

  test('DescribeKey by alias', async () => {
    const { KeyMetadata } = await client(admin).send(new DescribeKeyCommand({ KeyId: 'alias/vault' }));
    expect(KeyMetadata).toMatchObject({ KeyId: key.keyId, Arn: key.arn, Enabled: true, KeyState: 'Enabled', Description: 'vault key', AWSAccountId: '123456789012' });
    expect(KeyMetadata!.CreationDate).toBeInstanceOf(Date);
  });

  test('authorization goes through AccessControl with the key policy and the key ARN', async () => {
    const policy = { Statement: [{ Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] };
    kms.setKeyPolicy(key.keyId, policy);
    accessControl.requests.length = 0;
    await client(admin).send(new GenerateDataKeyCommand({ KeyId: key.keyId, NumberOfBytes: 32 }));
    expect(accessControl.requests).toEqual([expect.objectContaining({ action: 'kms:GenerateDataKey', resource: key.arn, resourcePolicy: policy })]);
    kms.setKeyPolicy(key.keyId, undefined);
  });

  test('a caller without the permission gets AccessDeniedException (status 400)', async () => {
    const denied = client(reader).send(new GenerateDataKeyCommand({ KeyId: key.arn, KeySpec: 'AES_256' }));
    await expect(denied).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    await expect(denied).rejects.toThrow(/not authorized to perform: kms:GenerateDataKey/);
    await expect(client(stranger).send(new DescribeKeyCommand({ KeyId: key.arn }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('unknown keys are NotFoundException; disabled keys DisabledException', async () => {
    await expect(client(admin).send(new DescribeKeyCommand({ KeyId: 'alias/missing' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    const disabled = kms.createKey({ enabled: false });
    await expect(client(admin).send(new EncryptCommand({ KeyId: disabled.arn, Plaintext: Buffer.from('x') }))).rejects.toMatchObject({ name: 'DisabledException' });
  });

  test('a blob that is not ours is InvalidCiphertextException', async () => {
    await expect(client(admin).send(new DecryptCommand({ CiphertextBlob: Buffer.from('garbage') }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  test('Decrypt with a KeyId naming another key is IncorrectKeyException', async () => {
    const other = kms.createKey();
    const encrypted = await client(admin).send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from('x') }));
    await expect(client(admin).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, KeyId: other.keyId })))
      .rejects.toMatchObject({ name: 'IncorrectKeyException' });
  });

  test('a bad signature or unknown access key is refused', async () => {
    await expect(client(admin, 'wrong-secret').send(new DescribeKeyCommand({ KeyId: key.arn })))
      .rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    const unknown = { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x', arn: 'arn:aws:iam::123456789012:role/nobody' };
    await expect(client(unknown).send(new DescribeKeyCommand({ KeyId: key.arn }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  test('an unsigned request is refused', async () => {
    const response = await fetch(api.url, { method: 'POST', headers: { 'x-amz-target': 'TrentService.DescribeKey', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationToken' });
  });

  test('an operation the local KMS does not serve is UnknownOperationException', async () => {
    const renamed = client(admin);
    // Rename the operation before signing, so the request is correctly signed but names ListKeys.
    renamed.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amz-target'] = 'TrentService.ListKeys';
      return next(args);
    }, { step: 'build' });
    await expect(renamed.send(new DescribeKeyCommand({ KeyId: key.arn }))).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });
});

describe('LocalKms in process', () => {
  test('createKeyFromResource keeps the template physical id, ARN and key policy', () => {
    const accessControl = new FakeAccessControl([admin], [{ effect: 'Allow', principal: admin.arn, action: 'kms:*', resource: '*' }]);
    const kms = new LocalKms({ accessControl, region: 'eu-west-1' });
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222';
    const created = kms.createKeyFromResource({
      stackName: 'S',
      logicalId: 'Key',
      type: 'AWS::KMS::Key',
      physicalId: '1111-2222',
      attributes: { Arn: arn },
      properties: { Description: 'd', KeyPolicy: { Statement: [] } },
    });
    expect(created).toEqual({ keyId: '1111-2222', arn });
    kms.createAliasFromResource({
      stackName: 'S',
      logicalId: 'Alias',
      type: 'AWS::KMS::Alias',
      physicalId: 'alias/vault',
      attributes: {},
      properties: { AliasName: 'alias/vault', TargetKeyId: '1111-2222' },
    });
    expect(kms.keyArnOf('alias/vault')).toBe(arn);
    expect(kms.keyArnOf('arn:aws:kms:eu-west-1:123456789012:alias/vault')).toBe(arn);
    const principal = { arn: admin.arn, accountId: '123456789012' };
    const dataKey = kms.generateDataKey(principal, arn, { encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::b' }, viaService: 's3.eu-west-1.amazonaws.com' });
    expect(accessControl.requests[0].context).toEqual({
      'kms:CallerAccount': '123456789012',
      'kms:KeySpec': 'SYMMETRIC_DEFAULT',
      'kms:KeyUsage': 'ENCRYPT_DECRYPT',
      'kms:KeyOrigin': 'AWS_KMS',
      'kms:ViaService': 's3.eu-west-1.amazonaws.com',
      'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b',
    });
    expect(kms.decrypt(principal, dataKey.ciphertextBlob, { encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::b' } }).plaintext.equals(dataKey.plaintext)).toBe(true);
  });
});
