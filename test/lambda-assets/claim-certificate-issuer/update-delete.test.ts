import { DeleteConflictException } from '@aws-sdk/client-iot';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  captureLogs,
  CLAIM_POLICY,
  certificateArnOf,
  claimKey,
  commandNames,
  createEvent,
  deleteEvent,
  ISSUER_ENV,
  OTHER_POLICY,
  updateEvent,
  useIssuerHarness,
} from './support';

const harness = useIssuerHarness();
const { iot, s3 } = harness;

/** A claim made by a Create, with the mocks' call history cleared. */
async function existingClaim(): Promise<{ certificateId: string; certificateArn: string }> {
  const { PhysicalResourceId: certificateId } = await harness.handler(createEvent());
  iot.resetHistory();
  s3.resetHistory();
  harness.logs.restore();
  harness.logs = captureLogs();
  return { certificateId, certificateArn: certificateArnOf(certificateId) };
}

function dataOf(certificateId: string) {
  return {
    CertificateId: certificateId,
    CertificateArn: certificateArnOf(certificateId),
    CertificateObjectKey: claimKey(certificateId, 'claim.cert.pem'),
    PrivateKeyObjectKey: claimKey(certificateId, 'claim.private_key.pem'),
  };
}

describe('Update', () => {
  test('the same certificate; a changed claim policy is attached before the old one is detached', async () => {
    const { certificateId, certificateArn } = await existingClaim();

    const result = await harness.handler(updateEvent(certificateId, OTHER_POLICY, CLAIM_POLICY));

    expect(result).toEqual({ PhysicalResourceId: certificateId, Data: dataOf(certificateId) });
    expect(commandNames(iot)).toEqual(['DescribeCertificate', 'AttachPolicy', 'DetachPolicy']);
    expect(iot.calls()[1].args[0]).toMatchObject({ input: { policyName: OTHER_POLICY, target: certificateArn } });
    expect(iot.calls()[2].args[0]).toMatchObject({ input: { policyName: CLAIM_POLICY, target: certificateArn } });
    expect(harness.aws.policiesOf(certificateArn)).toEqual([OTHER_POLICY]);
    expect(harness.aws.certificates.get(certificateId)!.status).toBe('ACTIVE');
    expect(s3.calls()).toHaveLength(0);
    expect(harness.logs.lines()).toEqual([expect.objectContaining({
      message: 'claim policy replaced', certificateId, claimPolicyName: OTHER_POLICY, oldClaimPolicyName: CLAIM_POLICY,
    })]);
  });

  test('an old policy that is already gone is no error', async () => {
    const { certificateId, certificateArn } = await existingClaim();
    harness.aws.policies.delete(CLAIM_POLICY);

    await expect(harness.handler(updateEvent(certificateId, OTHER_POLICY, CLAIM_POLICY)))
      .resolves.toEqual({ PhysicalResourceId: certificateId, Data: dataOf(certificateId) });
    expect(harness.aws.policiesOf(certificateArn)).toEqual([OTHER_POLICY]);
  });

  test('the rollback of a policy change (the same Update, old and new swapped) restores the first policy', async () => {
    const { certificateId, certificateArn } = await existingClaim();
    await harness.handler(updateEvent(certificateId, OTHER_POLICY, CLAIM_POLICY));

    await harness.handler(updateEvent(certificateId, CLAIM_POLICY, OTHER_POLICY));

    expect(harness.aws.policiesOf(certificateArn)).toEqual([CLAIM_POLICY]);
  });

  test('an unchanged policy (e.g. only TemplateName changed): nothing to do but answer the same', async () => {
    const { certificateId } = await existingClaim();

    await expect(harness.handler(updateEvent(certificateId, CLAIM_POLICY, CLAIM_POLICY)))
      .resolves.toEqual({ PhysicalResourceId: certificateId, Data: dataOf(certificateId) });
    expect(commandNames(iot)).toEqual(['DescribeCertificate']);
  });

  test('a new policy that does not exist fails the step and keeps the old one', async () => {
    const { certificateId, certificateArn } = await existingClaim();

    await expect(harness.handler(updateEvent(certificateId, 'NoSuchPolicy', CLAIM_POLICY))).rejects.toThrow('Policy NoSuchPolicy does not exist');
    expect(harness.aws.policiesOf(certificateArn)).toEqual([CLAIM_POLICY]);
  });

  test('a certificate deleted behind CloudFormation\'s back fails the step with what to do', async () => {
    const { certificateId } = await existingClaim();
    harness.aws.certificates.delete(certificateId);

    await expect(harness.handler(updateEvent(certificateId, OTHER_POLICY, CLAIM_POLICY)))
      .rejects.toThrow(`claim certificate ${certificateId} no longer exists in AWS IoT; replace the resource to issue a new claim`);
  });

  test('a physical id that is no certificate id fails the step', async () => {
    await expect(harness.handler(updateEvent('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', OTHER_POLICY, CLAIM_POLICY)))
      .rejects.toThrow(/is not a claim certificate id/);
    expect(iot.calls()).toHaveLength(0);
  });
});

describe('Delete', () => {
  test('detaches every policy, makes the certificate INACTIVE, deletes it, removes the vault files', async () => {
    const { certificateId, certificateArn } = await existingClaim();
    // Someone attached a second policy: it is detached too (ListAttachedPolicies is paged).
    harness.aws.policies.get(OTHER_POLICY)!.add(certificateArn);

    await expect(harness.handler(deleteEvent(certificateId))).resolves.toEqual({ PhysicalResourceId: certificateId });

    expect(commandNames(iot)).toEqual([
      'DescribeCertificate', 'ListAttachedPolicies', 'ListAttachedPolicies', 'DetachPolicy', 'DetachPolicy', 'UpdateCertificate', 'DeleteCertificate',
    ]);
    expect(harness.aws.certificates.size).toBe(0);
    expect(harness.aws.objects.size).toBe(0);
    expect(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input).toEqual({
      Bucket: ISSUER_ENV.VAULT_BUCKET,
      Delete: { Objects: [{ Key: claimKey(certificateId, 'claim.cert.pem') }, { Key: claimKey(certificateId, 'claim.private_key.pem') }], Quiet: true },
    });
    expect(harness.logs.lines()).toEqual([expect.objectContaining({
      message: 'claim certificate deleted', certificateId, certificateFound: true, detachedPolicies: [CLAIM_POLICY, OTHER_POLICY],
    })]);
  });

  test('a repeated Delete succeeds: the certificate is gone, the vault delete is quiet', async () => {
    const { certificateId } = await existingClaim();
    await harness.handler(deleteEvent(certificateId));
    iot.resetHistory();

    await expect(harness.handler(deleteEvent(certificateId))).resolves.toEqual({ PhysicalResourceId: certificateId });

    expect(commandNames(iot)).toEqual(['DescribeCertificate']);
    expect(commandNames(s3)).toEqual(['DeleteObjects', 'DeleteObjects']);
    expect(harness.logs.lines().at(-1)).toMatchObject({ message: 'claim certificate deleted', certificateFound: false, detachedPolicies: [] });
  });

  test('things vanishing half-way (a concurrent delete) are no error', async () => {
    const { certificateId } = await existingClaim();
    const gone = (what: string) => Object.assign(new Error(`${what} does not exist`), { name: 'ResourceNotFoundException' });
    harness.aws.failNext('DetachPolicy', gone('Policy'), { timing: 'after' });
    harness.aws.failNext('UpdateCertificate', gone('Certificate'), { timing: 'after' });
    harness.aws.failNext('DeleteCertificate', gone('Certificate'), { timing: 'after' });

    await expect(harness.handler(deleteEvent(certificateId))).resolves.toEqual({ PhysicalResourceId: certificateId });
    expect(harness.aws.certificates.size).toBe(0);
  });

  test('an INACTIVE or REVOKED certificate is deleted as it is', async () => {
    const { certificateId } = await existingClaim();
    harness.aws.certificates.get(certificateId)!.status = 'REVOKED';

    await harness.handler(deleteEvent(certificateId));

    expect(commandNames(iot)).not.toContain('UpdateCertificate');
    expect(harness.aws.certificates.size).toBe(0);
  });

  test.each([
    'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
    'req-create',
    'FleetClaim1A2B3C',
    'A'.repeat(64),
  ])('the physical id of a Create that failed before making a certificate (%s): nothing deleted, success', async (physicalResourceId) => {
    await expect(harness.handler(deleteEvent(physicalResourceId))).resolves.toEqual({ PhysicalResourceId: physicalResourceId });
    expect(iot.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(harness.logs.lines()).toEqual([expect.objectContaining({ message: 'nothing to delete', physicalResourceId })]);
  });

  test('a Delete needs no valid properties (they may be what broke)', async () => {
    const { certificateId } = await existingClaim();
    await expect(harness.handler(deleteEvent(certificateId, 'not a policy name'))).resolves.toEqual({ PhysicalResourceId: certificateId });
    expect(harness.aws.certificates.size).toBe(0);
  });

  test('a vault that cannot delete the files fails the step (a retry of the Delete finishes it)', async () => {
    const { certificateId } = await existingClaim();
    s3.on(DeleteObjectsCommand).resolvesOnce({ Errors: [{ Key: claimKey(certificateId, 'claim.private_key.pem'), Code: 'AccessDenied', Message: 'Access Denied' }] });

    await expect(harness.handler(deleteEvent(certificateId))).rejects.toThrow(/the vault could not delete .*claim\.private_key\.pem \(AccessDenied/);
    harness.aws.install();
    await expect(harness.handler(deleteEvent(certificateId))).resolves.toEqual({ PhysicalResourceId: certificateId });
    expect(harness.aws.objects.size).toBe(0);
  });

  test('a DeleteCertificate that AWS IoT refuses for another reason fails the step', async () => {
    const { certificateId } = await existingClaim();
    harness.aws.failNext('DeleteCertificate', new DeleteConflictException({ message: 'attached to a thing', $metadata: { httpStatusCode: 409 } }));

    await expect(harness.handler(deleteEvent(certificateId))).rejects.toThrow('attached to a thing');
    expect(harness.logs.lines().at(-1)).toMatchObject({ level: 'ERROR', message: 'claim certificate request failed', errorName: 'DeleteConflictException' });
  });
});

test('an unknown RequestType fails the step', async () => {
  await expect(harness.handler({ ...createEvent(), RequestType: 'Replace' } as unknown as CloudFormationCustomResourceEvent)).rejects.toThrow("unknown RequestType 'Replace'");
});
