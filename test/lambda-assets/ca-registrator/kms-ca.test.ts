/**
 * POST /caRegister with caKeyStorage KMS: the CA key is an asymmetric KMS key made per CA with a
 * key policy that lets only the signing roles sign, the CA certificate and the verification
 * certificate are signed through KMS Sign, and the vault gets the certificate and a record naming
 * the key, never a private key. A failure after the key exists schedules its deletion.
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { RegisterCACertificateCommand, RegisterCACertificateCommandInput, ResourceAlreadyExistsException } from '@aws-sdk/client-iot';
import { CreateKeyCommand, GetPublicKeyCommand, ScheduleKeyDeletionCommand, SignCommand, TagResourceCommand } from '@aws-sdk/client-kms';
import { DeleteObjectsCommand, PutObjectCommand, PutObjectCommandInput } from '@aws-sdk/client-s3';
import { callLog, caRegisterEvent, OpenSsl, parseResponse, REGISTRATION_CODE, useRegistratorHarness, VAULT_PREFIX_NORMALIZED } from './support';
import { parseCaKeyStorage } from '../../../lambda-assets/ca-registrator/config';
import { certificateIdOf, createCaCertificate } from '../../../lambda-assets/shared/pki';
import { generateAsymmetricKey } from '../../../local/runner/kms/asymmetric-key';

const ACCOUNT = '123456789012';
const REGISTRATOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/JitpStack-CaRegistratorRole-1A2B`;
const GENERATOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/JitpStack-GeneratorRole-3C4D`;
const FACTORY_ROLE = `arn:aws:iam::${ACCOUNT}:role/factory-line-signer`;
const KMS_ENV = {
  CA_KEY_STORAGE: 'KMS',
  CA_KEY_ADMIN_ROLE_ARN: REGISTRATOR_ROLE,
  CA_KEY_SIGNER_ROLE_ARNS: JSON.stringify([GENERATOR_ROLE, FACTORY_ROLE]),
};

const openssl = new OpenSsl();
const harness = useRegistratorHarness((iot) => {
  iot.on(RegisterCACertificateCommand).callsFake((input: RegisterCACertificateCommandInput) => {
    const certificateId = certificateIdOf(input.caCertificate!);
    return { certificateId, certificateArn: `arn:aws:iot:eu-west-1:${ACCOUNT}:cacert/${certificateId}` };
  });
}, KMS_ENV);
const { iot, s3, kms } = harness;

afterAll(() => openssl.cleanup());

function puts(): PutObjectCommandInput[] {
  return s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

function stored(caId: string, file: string): string {
  const put = puts().find((input) => input.Key === `${VAULT_PREFIX_NORMALIZED}/${caId}/${file}`);
  expect(put).toBeDefined();
  return put!.Body as string;
}

async function register(body: Record<string, unknown> = {}) {
  return parseResponse(await harness.handler(caRegisterEvent(body)));
}

describe.each([
  ['ECDSA-P256', 'ECC_NIST_P256', 'ECDSA_SHA_256', 32, 'ecdsa-with-SHA256'],
  ['ECDSA-P384', 'ECC_NIST_P384', 'ECDSA_SHA_384', 48, 'ecdsa-with-SHA384'],
  ['RSA-3072', 'RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_256', 32, 'sha256WithRSAEncryption'],
] as const)('a %s CA whose key KMS holds', (keyAlgorithm, keySpec, signingAlgorithm, digestBytes, opensslAlgorithm) => {
  test('is self-signed through KMS, registered with a verification certificate KMS signed, and the vault holds no private key', async () => {
    const response = await register({ keyAlgorithm, csrSubjects: { commonName: 'KMS Root', organizationName: 'Acme' } });

    expect(response.statusCode).toBe(200);
    // The answer names the key, so a JITR factory can sign with it (device cert --kms-key) without reading the vault.
    const key = harness.fakeKms.only();
    expect(response.body).toEqual({
      caCertificateId: expect.any(String),
      caCertificateArn: expect.any(String),
      caCertificatePem: expect.any(String),
      keyStorage: 'KMS',
      kmsKeyArn: key.arn,
    });
    const caPem = response.body.caCertificatePem as string;
    const caId = response.body.caCertificateId as string;
    expect(caId).toBe(createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex'));
    expect(openssl.verify(caPem, caPem)).toEqual({ status: 0, output: expect.stringContaining(': OK') });
    const text = openssl.text(caPem);
    expect(text).toContain(`Signature Algorithm: ${opensslAlgorithm}`);
    expect(text).toMatch(/CA:TRUE/);

    // The CA certificate certifies the KMS key's public key.
    expect(new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' })).toEqual(key.material.publicKeyDer);

    // The verification certificate AWS IoT got: the registration code, signed by the CA (through KMS).
    const registered = iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input;
    expect(registered).toMatchObject({ caCertificate: caPem, certificateMode: 'DEFAULT', setAsActive: true, allowAutoRegistration: true });
    expect(openssl.subject(registered.verificationCertificate!)).toBe(`subject=CN=${REGISTRATION_CODE}`);
    expect(openssl.verify(caPem, registered.verificationCertificate!).status).toBe(0);

    // KMS signed two digests (the CA certificate and the verification certificate), nothing else.
    const signs = kms.commandCalls(SignCommand).map((call) => call.args[0].input);
    expect(signs).toEqual([
      { KeyId: key.arn, Message: expect.any(Uint8Array), MessageType: 'DIGEST', SigningAlgorithm: signingAlgorithm },
      { KeyId: key.arn, Message: expect.any(Uint8Array), MessageType: 'DIGEST', SigningAlgorithm: signingAlgorithm },
    ]);
    for (const sign of signs) expect(sign.Message).toHaveLength(digestBytes);

    // The vault: the certificate, its public key, a record naming the KMS key, metadata, the verification certificate.
    expect(puts().map((put) => put.Key!.split('/').pop()).sort()).toEqual(['ca.cert.pem', 'ca.json', 'ca.kms_key.json', 'ca.public_key.pem', 'verification.cert.pem']);
    for (const put of puts()) {
      expect(put.Body).not.toMatch(/PRIVATE KEY/);
      expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms' });
    }
    // The answer's key is the one the vault's record names.
    expect(JSON.parse(stored(caId, 'ca.kms_key.json'))).toEqual({ keyArn: response.body.kmsKeyArn, keySpec, signingAlgorithm });
    expect(JSON.parse(stored(caId, 'ca.json'))).toMatchObject({ caCertificateId: caId, source: 'generated', keyAlgorithm, keyStorage: 'KMS', kmsKeyArn: key.arn });
    expect(createPublicKey(stored(caId, 'ca.public_key.pem')).export({ type: 'spki', format: 'der' })).toEqual(key.material.publicKeyDer);
    expect(harness.logs.lines.join('')).not.toMatch(/PRIVATE KEY/);
  });
});

test('CreateKey: an asymmetric SIGN_VERIFY key, single-Region, with a key policy that lets only the signing roles sign', async () => {
  const response = await register({ csrSubjects: { commonName: 'Policy Root' } });
  expect(response.statusCode).toBe(200);
  const create = kms.commandCalls(CreateKeyCommand)[0].args[0].input;
  expect(create).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'AWS_KMS', MultiRegion: false });
  expect(create.BypassPolicyLockoutSafetyCheck).toBeUndefined();
  expect(create.Tags).toBeUndefined();
  expect(create.Description).toBe('CA key of cdk-iot-security (stack-7f3a9c): Policy Root');

  const policy = JSON.parse(create.Policy!);
  const signers = [REGISTRATOR_ROLE, GENERATOR_ROLE, FACTORY_ROLE];
  expect(policy).toEqual({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersButNeverSigns', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, NotAction: 'kms:Sign', Resource: '*' },
      { Sid: 'RegistratorSetsUpTheKey', Effect: 'Allow', Principal: { AWS: REGISTRATOR_ROLE }, Action: ['kms:TagResource', 'kms:ScheduleKeyDeletion'], Resource: '*' },
      { Sid: 'SignersReadTheKey', Effect: 'Allow', Principal: { AWS: signers }, Action: ['kms:GetPublicKey', 'kms:DescribeKey'], Resource: '*' },
      {
        Sid: 'OnlyCaSignersSign',
        Effect: 'Allow',
        Principal: { AWS: signers },
        Action: 'kms:Sign',
        Resource: '*',
        Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
      },
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
});

test('the key is tagged with the registrar and the CA\'s id once the CA certificate exists, before the CA is registered', async () => {
  const response = await register({ certificateMode: 'SNI_ONLY', verifierName: 'allow-list' });
  const caId = response.body.caCertificateId as string;
  const key = harness.fakeKms.only();
  expect(key.tags).toEqual({ 'cdk-iot-security:registrar': 'stack-7f3a9c', 'cdk-iot-security:ca-certificate-id': caId });
  // SNI_ONLY: one signature (the CA certificate), no registration code, no verification certificate.
  expect(callLog(iot, s3, kms)).toEqual([
    'CreateKey', 'GetPublicKey', 'Sign', 'TagResource', 'PutObject', 'PutObject', 'PutObject', 'PutObject', 'RegisterCACertificate',
  ]);
  expect(iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input.tags).toEqual([
    { Key: 'cdk-iot-security:registrar', Value: 'stack-7f3a9c' }, { Key: 'cdk-iot-security:verifier', Value: 'allow-list' },
  ]);
});

test('AWS IoT refuses the CA: the vault files are removed and the key is scheduled for deletion (7 days)', async () => {
  iot.on(RegisterCACertificateCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', resourceId: 'x', resourceArn: 'y', $metadata: {} }));
  const response = await register();
  expect(response.statusCode).toBe(409);
  const key = harness.fakeKms.only();
  expect(key.pendingDeletionDays).toBe(7);
  expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
  expect(kms.commandCalls(ScheduleKeyDeletionCommand)[0].args[0].input).toEqual({ KeyId: key.arn, PendingWindowInDays: 7 });
  expect(harness.logs.lines.join('')).toMatch(/its KMS key is scheduled for deletion/);
});

test('KMS refuses to sign: nothing reaches the vault or AWS IoT, the key is scheduled for deletion, the caller gets a 500', async () => {
  kms.on(SignCommand).rejects(Object.assign(new Error('User is not authorized to perform: kms:Sign'), { name: 'AccessDeniedException' }));
  const response = await register();
  expect(response.statusCode).toBe(500);
  expect(response.body.error).toMatchObject({ code: 'InternalError' });
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(iot.commandCalls(RegisterCACertificateCommand)).toHaveLength(0);
  expect(harness.fakeKms.only().pendingDeletionDays).toBe(7);
});

test('GetPublicKey answers another key than the one that signs: the CA is refused (KEY_MISMATCH) and the key deleted', async () => {
  const other = await generateAsymmetricKey('ECC_NIST_P256');
  kms.on(GetPublicKeyCommand).resolves({ PublicKey: new Uint8Array(other.publicKeyDer), KeySpec: 'ECC_NIST_P256' });
  const response = await register();
  expect(response.statusCode).toBe(500);
  expect(harness.logs.lines.join('')).toMatch(/does not verify with its public key/);
  expect(kms.commandCalls(TagResourceCommand)).toHaveLength(0);
  expect(harness.fakeKms.only().pendingDeletionDays).toBe(7);
});

test('a deletion that fails is logged and does not hide why the registration failed', async () => {
  iot.on(RegisterCACertificateCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', resourceId: 'x', resourceArn: 'y', $metadata: {} }));
  kms.on(ScheduleKeyDeletionCommand).rejects(new Error('KMS is down'));
  const response = await register();
  expect(response.statusCode).toBe(409);
  expect(harness.logs.lines.join('')).toMatch(/its KMS key could not be scheduled for deletion/);
});

test('an imported CA touches no KMS key (its key stays with its owner), and its answer names none', async () => {
  const ca = await createCaCertificate({ subject: { commonName: 'Brought CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
  const response = await register({ caCertificatePem: ca.certificatePem, certificateMode: 'SNI_ONLY' });
  expect(response.statusCode).toBe(200);
  expect(response.body.keyStorage).toBe('NONE');
  expect(response.body).not.toHaveProperty('kmsKeyArn');
  expect(kms.calls()).toHaveLength(0);
  expect(JSON.parse(stored(ca.certificateId, 'ca.json'))).toMatchObject({ keyStorage: 'NONE' });
});

describe('CA_KEY_STORAGE and the roles of the key policy, as the construct writes them', () => {
  test('VAULT by default; KMS with the registrator\'s role and the signer roles', () => {
    expect(parseCaKeyStorage({})).toEqual({ caKeyStorage: 'VAULT' });
    expect(parseCaKeyStorage(KMS_ENV)).toEqual({
      caKeyStorage: 'KMS',
      kmsCaKeys: { registratorRoleArn: REGISTRATOR_ROLE, signerRoleArns: [GENERATOR_ROLE, FACTORY_ROLE] },
    });
  });

  test.each([
    [{ CA_KEY_STORAGE: 'CLOUDHSM' }, /CA_KEY_STORAGE must be VAULT or KMS/],
    [{ CA_KEY_STORAGE: 'KMS' }, /CA_KEY_ADMIN_ROLE_ARN/],
    [{ ...KMS_ENV, CA_KEY_SIGNER_ROLE_ARNS: 'not json' }, /CA_KEY_SIGNER_ROLE_ARNS must be a JSON array/],
    [{ ...KMS_ENV, CA_KEY_SIGNER_ROLE_ARNS: '["arn:aws:iam::123456789012:user/alice"]' }, /CA_KEY_SIGNER_ROLE_ARNS/],
  ])('refused at load: %p', (env, message) => {
    expect(() => parseCaKeyStorage(env)).toThrow(message);
  });
});
