import {
  CertificateStateException,
  CertificateValidationException,
  CreateProvisioningTemplateCommand,
  DeleteCACertificateCommand,
  DescribeCACertificateCommand,
  GetRegistrationCodeCommand,
  InvalidRequestException,
  LimitExceededException,
  ListCACertificatesCommand,
  RegisterCACertificateCommand,
  RegistrationCodeValidationException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { startTestCloud, type TestCloud } from './harness';
import { createCaCertificate, issueDeviceCertificateWithNewKey, type GeneratedCa } from '../../../../lambda-assets/shared/pki';
import { JITP_TEMPLATE, makeCa, ROLE_ARN, verificationFor } from '../model/fixtures';

let cloud: TestCloud;
let code: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  code = (await cloud.client.send(new GetRegistrationCodeCommand({}))).registrationCode!;
});
afterAll(() => cloud.close());

async function register(ca: GeneratedCa, extra: Partial<ConstructorParameters<typeof RegisterCACertificateCommand>[0]> = {}) {
  return cloud.client.send(new RegisterCACertificateCommand({
    caCertificate: ca.certificatePem,
    verificationCertificate: await verificationFor(ca, code),
    ...extra,
  }));
}

describe('GetRegistrationCode', () => {
  test('is 64 hex characters and stable for the account', async () => {
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    expect((await cloud.client.send(new GetRegistrationCodeCommand({}))).registrationCode).toBe(code);
  });
});

describe('RegisterCACertificate', () => {
  test('DEFAULT mode with a verification certificate: registered, described with its flags', async () => {
    const ca = await makeCa('Default Mode CA', 'RSA-2048');
    const out = await register(ca, { setAsActive: true, allowAutoRegistration: true, tags: [{ Key: 'team', Value: 'iot' }] });
    expect(out.certificateId).toBe(ca.certificateId);
    expect(out.certificateArn).toBe(`arn:aws:iot:us-east-1:123456789012:cacert/${ca.certificateId}`);
    const described = await cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId }));
    const { certificateDescription: d, registrationConfig } = described;
    expect(d).toMatchObject({
      certificateId: ca.certificateId,
      status: 'ACTIVE',
      autoRegistrationStatus: 'ENABLE',
      certificateMode: 'DEFAULT',
      certificatePem: ca.certificatePem,
      ownedBy: '123456789012',
      customerVersion: 1,
    });
    expect(d!.creationDate).toBeInstanceOf(Date);
    expect(d!.validity!.notAfter!.getTime()).toBe(ca.authority.certificate.notAfter.getTime());
    expect(registrationConfig).toBeUndefined();
  });

  test('defaults: INACTIVE, auto-registration DISABLE', async () => {
    const ca = await makeCa('Defaults CA');
    await register(ca);
    const { certificateDescription: d } = await cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId }));
    expect(d).toMatchObject({ status: 'INACTIVE', autoRegistrationStatus: 'DISABLE' });
  });

  test('SNI_ONLY needs no verification certificate', async () => {
    const ca = await makeCa('SNI CA');
    await cloud.client.send(new RegisterCACertificateCommand({ caCertificate: ca.certificatePem, certificateMode: 'SNI_ONLY', setAsActive: true }));
    const { certificateDescription: d } = await cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId }));
    expect(d!.certificateMode).toBe('SNI_ONLY');
  });

  test('DEFAULT mode without a verification certificate is an invalid request', async () => {
    const ca = await makeCa('No Verification CA');
    await expect(cloud.client.send(new RegisterCACertificateCommand({ caCertificate: ca.certificatePem })))
      .rejects.toBeInstanceOf(InvalidRequestException);
  });

  test('a verification certificate whose CN is not the registration code: RegistrationCodeValidationException', async () => {
    const ca = await makeCa('Wrong Code CA');
    const promise = cloud.client.send(new RegisterCACertificateCommand({
      caCertificate: ca.certificatePem, verificationCertificate: await verificationFor(ca, 'f'.repeat(64)),
    }));
    await expect(promise).rejects.toBeInstanceOf(RegistrationCodeValidationException);
  });

  test('a verification certificate signed by another key: CertificateValidationException', async () => {
    const ca = await makeCa('Claimed CA');
    const impostor = await makeCa('Impostor CA');
    const promise = cloud.client.send(new RegisterCACertificateCommand({
      caCertificate: ca.certificatePem, verificationCertificate: await verificationFor(impostor, code),
    }));
    await expect(promise).rejects.toBeInstanceOf(CertificateValidationException);
  });

  test('a certificate that is not a CA (no CA:TRUE): CertificateValidationException', async () => {
    const ca = await makeCa('Leaf Issuer');
    const leaf = await issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'leaf' }, validityDays: 5 });
    await expect(cloud.client.send(new RegisterCACertificateCommand({ caCertificate: leaf.certificatePem, certificateMode: 'SNI_ONLY' })))
      .rejects.toBeInstanceOf(CertificateValidationException);
  });

  test('garbage PEM: CertificateValidationException', async () => {
    await expect(cloud.client.send(new RegisterCACertificateCommand({ caCertificate: 'not a certificate', certificateMode: 'SNI_ONLY' })))
      .rejects.toBeInstanceOf(CertificateValidationException);
  });

  test('the same CA twice: ResourceAlreadyExistsException naming it', async () => {
    const ca = await makeCa('Twice CA');
    await register(ca);
    const second = register(ca);
    await expect(second).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(second).rejects.toMatchObject({ resourceId: ca.certificateId });
  });

  test('an 11th CA with the same subject: LimitExceededException', async () => {
    const subject = { commonName: 'Crowded Subject', organizationName: 'Acme' };
    for (let i = 0; i < 10; i++) {
      const ca = await createCaCertificate({ subject, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
      await cloud.client.send(new RegisterCACertificateCommand({ caCertificate: ca.certificatePem, certificateMode: 'SNI_ONLY' }));
    }
    const eleventh = await createCaCertificate({ subject, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    await expect(cloud.client.send(new RegisterCACertificateCommand({ caCertificate: eleventh.certificatePem, certificateMode: 'SNI_ONLY' })))
      .rejects.toBeInstanceOf(LimitExceededException);
  });

  test('registrationConfig with a template body and role (JITP) is kept and described', async () => {
    const ca = await makeCa('JITP Inline CA');
    await register(ca, { registrationConfig: { templateBody: JITP_TEMPLATE, roleArn: ROLE_ARN } });
    const { registrationConfig } = await cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId }));
    expect(registrationConfig).toEqual({ templateBody: JITP_TEMPLATE, roleArn: ROLE_ARN });
  });

  test('registrationConfig: invalid template body, missing role, unknown template name', async () => {
    const ca = await makeCa('Bad Config CA');
    await expect(register(ca, { registrationConfig: { templateBody: '{not json', roleArn: ROLE_ARN } })).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(register(ca, { registrationConfig: { templateBody: JITP_TEMPLATE } })).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(register(ca, { registrationConfig: { templateName: 'no-such-template' } })).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('registrationConfig by template name needs a JITP template', async () => {
    await cloud.client.send(new CreateProvisioningTemplateCommand({ templateName: 'ca-jitp', templateBody: JITP_TEMPLATE, provisioningRoleArn: ROLE_ARN, type: 'JITP' }));
    const ca = await makeCa('Named Template CA');
    await register(ca, { registrationConfig: { templateName: 'ca-jitp' } });
    const { registrationConfig } = await cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId }));
    expect(registrationConfig).toEqual({ templateName: 'ca-jitp' });
    const listed = await cloud.client.send(new ListCACertificatesCommand({ templateName: 'ca-jitp' }));
    expect(listed.certificates!.map(c => c.certificateId)).toEqual([ca.certificateId]);
  });
});

describe('UpdateCACertificate', () => {
  test('status, auto-registration, registration config and its removal', async () => {
    const ca = await makeCa('Updated CA');
    await register(ca);
    await cloud.client.send(new UpdateCACertificateCommand({
      certificateId: ca.certificateId,
      newStatus: 'ACTIVE',
      newAutoRegistrationStatus: 'ENABLE',
      registrationConfig: { templateBody: JITP_TEMPLATE, roleArn: ROLE_ARN },
    }));
    let described = await cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId }));
    expect(described.certificateDescription).toMatchObject({ status: 'ACTIVE', autoRegistrationStatus: 'ENABLE', customerVersion: 2 });
    expect(described.registrationConfig?.templateBody).toBe(JITP_TEMPLATE);

    await cloud.client.send(new UpdateCACertificateCommand({ certificateId: ca.certificateId, removeAutoRegistration: true }));
    described = await cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId }));
    expect(described.registrationConfig).toBeUndefined();
  });

  test('an unknown status is an invalid request; an unknown CA is not found', async () => {
    const ca = await makeCa('Status CA');
    await register(ca);
    await expect(cloud.client.send(new UpdateCACertificateCommand({ certificateId: ca.certificateId, newStatus: 'REVOKED' as never })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    await expect(cloud.client.send(new UpdateCACertificateCommand({ certificateId: 'b'.repeat(64), newStatus: 'ACTIVE' })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('ListCACertificates', () => {
  test('pages through every registered CA, newest first by default', async () => {
    const all = await cloud.client.send(new ListCACertificatesCommand({}));
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const page = await cloud.client.send(new ListCACertificatesCommand({ pageSize: 3, marker }));
      expect(page.certificates!.length).toBeLessThanOrEqual(3);
      ids.push(...page.certificates!.map(c => c.certificateId!));
      marker = page.nextMarker;
    } while (marker);
    expect(ids).toEqual(all.certificates!.map(c => c.certificateId));
    const ascending = await cloud.client.send(new ListCACertificatesCommand({ ascendingOrder: true }));
    expect(ascending.certificates!.map(c => c.certificateId)).toEqual([...ids].reverse());
    expect(all.certificates![0].creationDate).toBeInstanceOf(Date);
  });

  test('a forged marker is an invalid request', async () => {
    await expect(cloud.client.send(new ListCACertificatesCommand({ marker: 'garbage' }))).rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('DeleteCACertificate', () => {
  test('refused while ACTIVE (CertificateStateException), allowed once INACTIVE', async () => {
    const ca = await makeCa('Deleted CA');
    await register(ca, { setAsActive: true });
    const remove = () => cloud.client.send(new DeleteCACertificateCommand({ certificateId: ca.certificateId }));
    await expect(remove()).rejects.toBeInstanceOf(CertificateStateException);
    await cloud.client.send(new UpdateCACertificateCommand({ certificateId: ca.certificateId, newStatus: 'INACTIVE' }));
    await cloud.client.send(new DeleteCACertificateCommand({ certificateId: ca.certificateId }));
    await expect(cloud.client.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(remove()).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('a malformed certificate id is an invalid request', async () => {
    await expect(cloud.client.send(new DescribeCACertificateCommand({ certificateId: 'xyz' }))).rejects.toBeInstanceOf(InvalidRequestException);
  });
});
