import { CreateKeysAndCertificateCommand, ResourceNotFoundException, ThrottlingException } from '@aws-sdk/client-iot';
import { PutObjectCommand, PutObjectCommandInput, S3ServiceException } from '@aws-sdk/client-s3';
import {
  CLAIM_POLICY,
  certificateArnOf,
  claimKey,
  commandNames,
  createEvent,
  ISSUER_ENV,
  TEMPLATE_NAME,
  useIssuerHarness,
} from './support';
import { certificateIdOf } from '../../../lambda-assets/shared/pki';

const harness = useIssuerHarness();
const { iot, s3 } = harness;

const accessDenied = () => new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } });
const policyNotFound = () => new ResourceNotFoundException({ message: `Policy ${CLAIM_POLICY} does not exist`, $metadata: { httpStatusCode: 404 } });

describe('Create', () => {
  test('creates an ACTIVE certificate, stores it and its key SSE-KMS, attaches the claim policy, and returns its id and vault keys', async () => {
    const result = await harness.handler(createEvent());

    expect(commandNames(iot)).toEqual(['CreateKeysAndCertificate', 'AttachPolicy']);
    expect(iot.commandCalls(CreateKeysAndCertificateCommand)[0].args[0].input).toEqual({ setAsActive: true });
    const [certificateId] = [...harness.aws.certificates.keys()];
    const certificateArn = certificateArnOf(certificateId);
    expect(harness.aws.certificates.get(certificateId)!.status).toBe('ACTIVE');
    expect(harness.aws.policiesOf(certificateArn)).toEqual([CLAIM_POLICY]);

    expect(result).toEqual({
      PhysicalResourceId: certificateId,
      Data: {
        CertificateId: certificateId,
        CertificateArn: certificateArn,
        CertificateObjectKey: claimKey(certificateId, 'claim.cert.pem'),
        PrivateKeyObjectKey: claimKey(certificateId, 'claim.private_key.pem'),
      },
    });

    // Certificate first, then key; each SSE-KMS under the vault key.
    const writes = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(writes.map((write) => write.Key)).toEqual([claimKey(certificateId, 'claim.cert.pem'), claimKey(certificateId, 'claim.private_key.pem')]);
    for (const write of writes) {
      expect(write).toMatchObject({
        Bucket: ISSUER_ENV.VAULT_BUCKET, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ISSUER_ENV.VAULT_KEY_ARN, ContentType: 'application/x-pem-file',
      });
    }
    expect(certificateIdOf(writes[0].Body as string)).toBe(certificateId);
    expect(writes[1].Body).toBe(harness.aws.privateKeys[0]);
    // The Data CloudFormation keeps (and shows) holds no key material.
    expect(JSON.stringify(result)).not.toMatch(/BEGIN/);

    expect(harness.logs.lines()).toEqual([expect.objectContaining({
      level: 'INFO',
      message: 'claim certificate created',
      function: 'claim-certificate-issuer',
      requestType: 'Create',
      logicalResourceId: 'FleetClaim1A2B3C',
      certificateId,
      claimPolicyName: CLAIM_POLICY,
      templateName: TEMPLATE_NAME,
    })]);
  });

  test('a throttle that outlasts the SDK\'s retries fails the Create, undone', async () => {
    // aws-sdk-client-mock replaces send(), so this is the error the retry strategy finally gives up with.
    harness.aws.failNext('AttachPolicy', new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    await expect(harness.handler(createEvent())).rejects.toThrow('Rate exceeded');
    expect(harness.aws.certificates.size).toBe(0);
  });

  test('no ClaimPolicyName: the deployment step fails with the reason, and nothing is created', async () => {
    const event = createEvent();
    const { ClaimPolicyName: _, ...properties } = event.ResourceProperties;
    await expect(harness.handler({ ...event, ResourceProperties: properties })).rejects.toThrow(/ClaimPolicyName must be an AWS IoT policy name/);
    expect(iot.calls()).toHaveLength(0);
  });

  test.each<[string, unknown, RegExp]>([
    ['an empty ClaimPolicyName', '', /ClaimPolicyName must be an AWS IoT policy name/],
    ['a numeric ClaimPolicyName', 7, /ClaimPolicyName must be an AWS IoT policy name/],
    ['a ClaimPolicyName with a space', 'claim policy', /ClaimPolicyName must be an AWS IoT policy name/],
    ['a ClaimPolicyName of 129 characters', 'p'.repeat(129), /ClaimPolicyName must be/],
  ])('%s: the deployment step fails with the reason, and nothing is created', async (_name, claimPolicyName, message) => {
    await expect(harness.handler(createEvent(claimPolicyName))).rejects.toThrow(message);
    expect(iot.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  test('a TemplateName AWS IoT would refuse fails the step too', async () => {
    await expect(harness.handler(createEvent(CLAIM_POLICY, 'fleet template'))).rejects.toThrow(/TemplateName must be a provisioning template name/);
    expect(iot.calls()).toHaveLength(0);
  });
});

describe('a failed Create leaves nothing behind', () => {
  test('the claim policy does not exist: the certificate is made INACTIVE and deleted, the vault files removed, the error passed on', async () => {
    harness.aws.policies.delete(CLAIM_POLICY);

    await expect(harness.handler(createEvent())).rejects.toThrow(`Policy ${CLAIM_POLICY} does not exist`);

    expect(commandNames(iot)).toEqual([
      'CreateKeysAndCertificate', 'AttachPolicy', 'DescribeCertificate', 'ListAttachedPolicies', 'UpdateCertificate', 'DeleteCertificate',
    ]);
    expect(harness.aws.certificates.size).toBe(0);
    expect(harness.aws.objects.size).toBe(0);
    expect(commandNames(s3)).toEqual(['PutObject', 'PutObject', 'DeleteObjects']);
    const lines = harness.logs.lines();
    expect(lines.map((line) => line.message)).toEqual(['claim certificate creation failed; undone', 'claim certificate request failed']);
    expect(lines[0]).toMatchObject({ level: 'WARN', errorName: 'ResourceNotFoundException' });
  });

  test('AttachPolicy took effect but its answer was lost: the undo detaches it before deleting', async () => {
    harness.aws.failNext('AttachPolicy', new Error('socket hang up'), { timing: 'after' });

    await expect(harness.handler(createEvent())).rejects.toThrow('socket hang up');

    expect(commandNames(iot)).toEqual([
      'CreateKeysAndCertificate', 'AttachPolicy', 'DescribeCertificate', 'ListAttachedPolicies', 'DetachPolicy', 'UpdateCertificate', 'DeleteCertificate',
    ]);
    expect(harness.aws.certificates.size).toBe(0);
    expect(harness.aws.policies.get(CLAIM_POLICY)!.size).toBe(0);
    expect(harness.aws.objects.size).toBe(0);
  });

  test('the vault refuses the key: the certificate written before it is removed too', async () => {
    s3.on(PutObjectCommand).callsFakeOnce(async (input: PutObjectCommandInput) => {
      harness.aws.objects.set(input.Key!, input);
      return {};
    }).rejectsOnce(accessDenied());

    await expect(harness.handler(createEvent())).rejects.toThrow('Access Denied');

    expect(commandNames(iot)).toEqual(['CreateKeysAndCertificate', 'DescribeCertificate', 'ListAttachedPolicies', 'UpdateCertificate', 'DeleteCertificate']);
    expect(harness.aws.certificates.size).toBe(0);
    expect(harness.aws.objects.size).toBe(0);
  });

  test('CreateKeysAndCertificate answers without the private key: the certificate it made is undone', async () => {
    iot.on(CreateKeysAndCertificateCommand).callsFakeOnce(async () => {
      const certificateId = 'ab'.repeat(32);
      harness.aws.certificates.set(certificateId, { arn: certificateArnOf(certificateId), pem: 'PEM', status: 'ACTIVE' });
      return { certificateId, certificateArn: certificateArnOf(certificateId), certificatePem: 'PEM' };
    });

    await expect(harness.handler(createEvent())).rejects.toThrow('CreateKeysAndCertificate returned no certificate ARN, certificate or private key');

    expect(harness.aws.certificates.size).toBe(0);
    expect(s3.calls().map((call) => (call.args[0] as object).constructor.name)).toEqual(['DeleteObjectsCommand']);
  });

  test('CreateKeysAndCertificate fails: there is nothing to undo', async () => {
    harness.aws.failNext('CreateKeysAndCertificate', new Error('LimitExceededException'));

    await expect(harness.handler(createEvent())).rejects.toThrow('LimitExceededException');

    expect(commandNames(iot)).toEqual(['CreateKeysAndCertificate']);
    expect(s3.calls()).toHaveLength(0);
  });

  test('an undo that fails too: the Create\'s own error is what CloudFormation sees, and the log says what is left', async () => {
    harness.aws.failNext('AttachPolicy', policyNotFound());
    harness.aws.failNext('DeleteCertificate', new Error('ServiceUnavailableException'));

    await expect(harness.handler(createEvent())).rejects.toThrow(`Policy ${CLAIM_POLICY} does not exist`);

    const [certificateId] = [...harness.aws.certificates.keys()];
    const undo = harness.logs.lines().find((line) => line.message === 'claim certificate creation failed and could not be undone');
    expect(undo).toMatchObject({
      level: 'ERROR',
      certificateId,
      errorName: 'ResourceNotFoundException',
      undoErrorMessage: 'ServiceUnavailableException',
      leftBehind: expect.stringContaining(certificateId),
    });
  });
});
