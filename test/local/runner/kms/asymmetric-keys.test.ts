/**
 * Asymmetric SIGN_VERIFY keys in the local KMS, through the real @aws-sdk/client-kms: CreateKey
 * (with a key policy, tags and the lockout safety check), GetPublicKey, Sign (RAW and DIGEST, each
 * signature verified with node:crypto and the public key KMS gave out), TagResource,
 * ListResourceTags, ScheduleKeyDeletion. Authorization is the local IAM's, so identity policies,
 * their condition keys and the key policy decide as they would in AWS.
 */
import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  type CreateKeyCommandInput,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { LocalIam, type PolicyDocument } from '../../../../local/runner/iam';
import { LocalKms, startKmsApi, type RunningApi } from '../../../../local/runner/kms';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const CREATOR = role('CaRegistratorRole');
const SIGNER = role('DeviceCertificateGeneratorRole');
const TAGGER = role('TaggingCreatorRole');
const TAG_READER = role('TagBasedSignerRole');

/** What the CA registrator's role may do: make SIGN_VERIFY keys of the CA key specs, never bypassing the lockout check. */
const CREATOR_POLICY: PolicyDocument = {
  Statement: [{
    Effect: 'Allow',
    Action: 'kms:CreateKey',
    Resource: '*',
    Condition: {
      StringEquals: {
        'kms:KeyUsage': 'SIGN_VERIFY',
        'kms:KeySpec': ['ECC_NIST_P256', 'ECC_NIST_P384', 'RSA_2048', 'RSA_3072', 'RSA_4096'],
        'kms:KeyOrigin': 'AWS_KMS',
      },
      Bool: { 'kms:MultiRegion': 'false' },
      BoolIfExists: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' },
    },
  }],
};

/** The key policy shape the CA registrator writes: the account administers but does not sign; only named roles sign. */
function caKeyPolicy(signers: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersButDoesNotSign', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, NotAction: 'kms:Sign', Resource: '*' },
      { Sid: 'CaSignersSign', Effect: 'Allow', Principal: { AWS: signers }, Action: ['kms:Sign', 'kms:GetPublicKey'], Resource: '*' },
      {
        Sid: 'NoOneElseSigns',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:Sign',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': signers } },
      },
    ],
  });
}

const NODE_HASH: Record<string, string> = { SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };

function hashOf(algorithm: string): string {
  return NODE_HASH[/SHA_\d+$/.exec(algorithm)![0]];
}

/** node:crypto's verdict on a KMS signature, with the public key GetPublicKey gave out. */
function verifies(publicKey: KeyObject, algorithm: string, message: Buffer, signature: Uint8Array): boolean {
  const hash = hashOf(algorithm);
  const options = algorithm.startsWith('RSASSA_PSS')
    ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(hash.slice(3)) / 8 }
    : { key: publicKey, dsaEncoding: 'der' as const };
  return verify(hash, message, options, signature);
}

describe('asymmetric keys over the KMS API', () => {
  const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
  iam.addRole(CREATOR, [CREATOR_POLICY]);
  iam.addRole(SIGNER);
  iam.addRole(TAGGER, [{
    Statement: [
      { Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: { StringEquals: { 'kms:KeyUsage': 'SIGN_VERIFY' } } },
      // Tags given to CreateKey need kms:TagResource on every key of the account: it is not yet known which.
      {
        Effect: 'Allow',
        Action: 'kms:TagResource',
        Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`,
        Condition: { 'StringEquals': { 'aws:RequestTag/team': 'pki' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } },
      },
    ],
  }]);
  iam.addRole(TAG_READER, [{
    Statement: [{ Effect: 'Allow', Action: 'kms:Sign', Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`, Condition: { StringEquals: { 'aws:ResourceTag/team': 'pki' } } }],
  }]);
  const kms = new LocalKms({ accessControl: iam, region: REGION, accountId: ACCOUNT });
  let api: RunningApi;
  const clients: KMSClient[] = [];
  const client = (credentials = iam.adminCredentials()) => {
    const made = new KMSClient({ endpoint: api.url, region: REGION, credentials, maxAttempts: 1 });
    clients.push(made);
    return made;
  };
  const as = (roleArn: string) => client(iam.credentialsFor(roleArn));

  beforeAll(async () => {
    api = await startKmsApi({ kms, accessControl: iam });
  });
  afterAll(async () => {
    for (const made of clients) made.destroy();
    await api.close();
  });

  async function createCaKey(keySpec: CreateKeyCommandInput['KeySpec'], extra: Partial<CreateKeyCommandInput> = {}) {
    const { KeyMetadata } = await as(CREATOR).send(new CreateKeyCommand({
      KeySpec: keySpec,
      KeyUsage: 'SIGN_VERIFY',
      Policy: caKeyPolicy([CREATOR, SIGNER]),
      Description: `CA key (${keySpec})`,
      ...extra,
    }));
    return KeyMetadata!;
  }

  async function publicKeyOf(keyId: string): Promise<KeyObject> {
    const answer = await as(SIGNER).send(new GetPublicKeyCommand({ KeyId: keyId }));
    return createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' });
  }

  test.each<[CreateKeyCommandInput['KeySpec'], SigningAlgorithmSpec[], string]>([
    ['ECC_NIST_P256', ['ECDSA_SHA_256'], 'prime256v1'],
    ['ECC_NIST_P384', ['ECDSA_SHA_384'], 'secp384r1'],
    ['RSA_2048', ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256'], 'rsa'],
  ])('%s: CreateKey, GetPublicKey, and Sign (RAW and DIGEST) whose signatures node:crypto verifies', async (keySpec, algorithms, curveOrType) => {
    const key = await createCaKey(keySpec);
    expect(key).toMatchObject({
      KeySpec: keySpec,
      CustomerMasterKeySpec: keySpec,
      KeyUsage: 'SIGN_VERIFY',
      KeyState: 'Enabled',
      Enabled: true,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      Description: `CA key (${keySpec})`,
      Arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key.KeyId}`,
    });
    expect(key.SigningAlgorithms).toEqual(expect.arrayContaining(algorithms));
    expect(key.EncryptionAlgorithms).toBeUndefined();

    const answer = await as(SIGNER).send(new GetPublicKeyCommand({ KeyId: key.Arn }));
    expect(answer).toMatchObject({ KeyId: key.Arn, KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' });
    const publicKey = createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyType).toBe(curveOrType === 'rsa' ? 'rsa' : 'ec');
    if (curveOrType !== 'rsa') expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(curveOrType);

    const message = Buffer.from(`a TBSCertificate stand-in for ${keySpec}`);
    for (const algorithm of algorithms) {
      const raw = await as(SIGNER).send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm }));
      expect(raw).toMatchObject({ KeyId: key.Arn, SigningAlgorithm: algorithm });
      expect(verifies(publicKey, algorithm, message, raw.Signature!)).toBe(true);
      if (algorithm.startsWith('RSASSA_PSS')) continue;
      const digest = createHash(hashOf(algorithm)).update(message).digest();
      const signed = await as(SIGNER).send(new SignCommand({ KeyId: key.Arn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm }));
      expect(verifies(publicKey, algorithm, message, signed.Signature!)).toBe(true);
      expect(verifies(publicKey, algorithm, Buffer.from('another message'), signed.Signature!)).toBe(false);
    }
    if (keySpec!.startsWith('ECC')) {
      // ECDSA signatures are DER (SEQUENCE { r, s }), as X.509 carries them.
      const signed = await as(SIGNER).send(new SignCommand({ KeyId: key.Arn, Message: message, SigningAlgorithm: algorithms[0] }));
      expect(signed.Signature![0]).toBe(0x30);
    }
  });

  test('RSA_3072 and RSA_4096 keys are made too', async () => {
    for (const keySpec of ['RSA_3072', 'RSA_4096'] as const) {
      const key = await createCaKey(keySpec);
      const publicKey = await publicKeyOf(key.KeyId!);
      expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(Number(keySpec.slice(4)));
      const message = Buffer.from('tbs');
      const signed = await as(SIGNER).send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
      expect(verifies(publicKey, 'RSASSA_PKCS1_V1_5_SHA_256', message, signed.Signature!)).toBe(true);
    }
  });

  test('the key policy decides who signs: a principal it does not name is denied, even an administrator; the account still administers', async () => {
    const key = await createCaKey('ECC_NIST_P256');
    const admin = client();
    const denied = admin.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    await expect(denied).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    await expect(denied).rejects.toThrow(/kms:Sign .*resource-based policy/);
    // Everything but Sign is the account's, through IAM: the administrator reads and manages the key.
    await expect(admin.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).resolves.toMatchObject({ KeyId: key.Arn });
    await expect(admin.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).resolves.toMatchObject({ KeyMetadata: { KeyState: 'Enabled' } });
    // A role with no identity policy signs because the key policy names it.
    await expect(as(SIGNER).send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' }))).resolves.toBeDefined();
  });

  test('CreateKey is checked against the caller\'s IAM conditions: kms:KeySpec, kms:KeyUsage, the lockout bypass', async () => {
    const creator = as(CREATOR);
    const policy = caKeyPolicy([CREATOR]);
    await expect(creator.send(new CreateKeyCommand({ Policy: policy }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(creator.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY', Policy: policy })))
      .rejects.toThrow(/not authorized to perform: kms:CreateKey/);
    await expect(creator.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: policy, BypassPolicyLockoutSafetyCheck: true })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(creator.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: policy, MultiRegion: true })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(as(SIGNER).send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('the lockout safety check: a key policy that would not let the caller change it is MalformedPolicyDocumentException', async () => {
    const signersOnly = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: SIGNER }, Action: 'kms:Sign', Resource: '*' }],
    });
    await expect(as(CREATOR).send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: signersOnly })))
      .rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    // The administrator may bypass it (its IAM allows everything).
    const { KeyMetadata } = await client().send(new CreateKeyCommand({
      KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: signersOnly, BypassPolicyLockoutSafetyCheck: true,
    }));
    expect(KeyMetadata?.KeyState).toBe('Enabled');
    await expect(client().send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: 'not json' })))
      .rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await expect(client().send(new CreateKeyCommand({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }) })))
      .rejects.toThrow(/has no Principal/);
  });

  test('key spec and usage pairs KMS refuses, and specs the local KMS does not model', async () => {
    const admin = client();
    await expect(admin.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(admin.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(admin.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }))).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    await expect(admin.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    // No KeySpec at all: a symmetric encryption key under KMS's default key policy.
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({}));
    expect(KeyMetadata).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] });
    await expect(admin.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x') }))).resolves.toBeDefined();
    await expect(admin.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    await expect(admin.send(new SignCommand({ KeyId: KeyMetadata!.KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' })))
      .rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });

  test('Sign refuses what KMS refuses: an algorithm the key spec does not allow, a digest of the wrong length, a RAW message over 4096 bytes', async () => {
    const key = await createCaKey('ECC_NIST_P384');
    const signer = as(SIGNER);
    await expect(signer.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' })))
      .rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(signer.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.alloc(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384' })))
      .rejects.toMatchObject({ name: 'ValidationException' });
    await expect(signer.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.alloc(4097), SigningAlgorithm: 'ECDSA_SHA_384' })))
      .rejects.toMatchObject({ name: 'ValidationException' });
    const rsa = await createCaKey('RSA_2048');
    await expect(signer.send(new SignCommand({ KeyId: rsa.KeyId, Message: Buffer.alloc(32), MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' })))
      .rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    // A SIGN_VERIFY key does not encrypt.
    await expect(client().send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });

  test('kms:SigningAlgorithm and kms:MessageType are condition keys of Sign', async () => {
    const { KeyMetadata: key } = await client().send(new CreateKeyCommand({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      Policy: JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, NotAction: 'kms:Sign', Resource: '*' },
          {
            Effect: 'Allow',
            Principal: { AWS: SIGNER },
            Action: 'kms:Sign',
            Resource: '*',
            Condition: { StringEquals: { 'kms:MessageType': 'DIGEST', 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
          },
        ],
      }),
    }));
    const signer = as(SIGNER);
    const digest = createHash('sha256').update('tbs').digest();
    await expect(signer.send(new SignCommand({ KeyId: key!.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }))).resolves.toBeDefined();
    await expect(signer.send(new SignCommand({ KeyId: key!.KeyId, Message: Buffer.from('tbs'), SigningAlgorithm: 'ECDSA_SHA_256' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('tags: CreateKey with Tags needs kms:TagResource; TagResource, ListResourceTags, and aws:ResourceTag in later authorizations', async () => {
    const tagged = { KeySpec: 'ECC_NIST_P256' as const, KeyUsage: 'SIGN_VERIFY' as const, Tags: [{ TagKey: 'team', TagValue: 'pki' }] };
    // CREATOR may create keys but not tag them.
    await expect(as(CREATOR).send(new CreateKeyCommand({ ...tagged, Policy: caKeyPolicy([CREATOR]) })))
      .rejects.toThrow(/not authorized to perform: kms:TagResource/);
    await expect(as(TAGGER).send(new CreateKeyCommand({ ...tagged, Tags: [{ TagKey: 'team', TagValue: 'other' }] })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
    const { KeyMetadata: key } = await as(TAGGER).send(new CreateKeyCommand(tagged));
    await expect(client().send(new ListResourceTagsCommand({ KeyId: key!.KeyId }))).resolves.toMatchObject({ Tags: [{ TagKey: 'team', TagValue: 'pki' }], Truncated: false });

    // Under KMS's default key policy, IAM decides: the tag-based signer's condition holds for this key.
    await expect(as(TAG_READER).send(new SignCommand({ KeyId: key!.KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' }))).resolves.toBeDefined();
    await client().send(new TagResourceCommand({ KeyId: key!.KeyId, Tags: [{ TagKey: 'team', TagValue: 'retired' }, { TagKey: 'ca', TagValue: 'abc' }] }));
    await expect(as(TAG_READER).send(new SignCommand({ KeyId: key!.KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
    const { Tags } = await client().send(new ListResourceTagsCommand({ KeyId: key!.KeyId }));
    expect(Tags).toEqual([{ TagKey: 'team', TagValue: 'retired' }, { TagKey: 'ca', TagValue: 'abc' }]);
    await expect(client().send(new TagResourceCommand({ KeyId: key!.KeyId, Tags: [{ TagKey: 'aws:reserved', TagValue: 'x' }] })))
      .rejects.toMatchObject({ name: 'TagException' });
  });

  test('ScheduleKeyDeletion: the key is PendingDeletion and signs no more; a window outside 7-30 days is refused', async () => {
    const key = await createCaKey('ECC_NIST_P256');
    const admin = client();
    await expect(admin.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 }))).rejects.toMatchObject({ name: 'ValidationException' });
    const before = Date.now();
    const scheduled = await admin.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate!.getTime()).toBeGreaterThanOrEqual(before + 7 * 86_400_000 - 1000);
    await expect(as(SIGNER).send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' })))
      .rejects.toMatchObject({ name: 'KMSInvalidStateException' });
    await expect(admin.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).resolves.toMatchObject({ KeyMetadata: { KeyState: 'PendingDeletion', Enabled: false } });
    await expect(admin.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }))).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
    // The signer's key policy statement does not cover deletion, and its IAM grants nothing.
    const other = await createCaKey('ECC_NIST_P256');
    await expect(as(SIGNER).send(new ScheduleKeyDeletionCommand({ KeyId: other.KeyId, PendingWindowInDays: 7 }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
