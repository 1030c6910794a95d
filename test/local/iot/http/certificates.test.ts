import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CertificateStateException,
  CertificateValidationException,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteConflictException,
  DescribeCertificateCommand,
  DetachThingPrincipalCommand,
  GetRegistrationCodeCommand,
  InvalidRequestException,
  ListAttachedPoliciesCommand,
  ListCertificatesByCACommand,
  ListCertificatesCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { startTestCloud, type TestCloud } from './harness';
import { certificateIdOf, inspectCertificate, isIssuedBy, type GeneratedCa } from '../../../../lambda-assets/shared/pki';
import { DEVICE_POLICY, makeCa, makeCsr, makeDevice, tamper, verificationFor } from '../model/fixtures';

let cloud: TestCloud;
let ca: GeneratedCa;
let otherCa: GeneratedCa;

beforeAll(async () => {
  cloud = await startTestCloud();
  const { registrationCode } = await cloud.client.send(new GetRegistrationCodeCommand({}));
  ca = await makeCa('Device Root');
  otherCa = await makeCa('Unregistered Root');
  await cloud.client.send(new RegisterCACertificateCommand({
    caCertificate: ca.certificatePem, verificationCertificate: await verificationFor(ca, registrationCode!), setAsActive: true,
  }));
});
afterAll(() => cloud.close());

const describeCert = async (certificateId: string) =>
  (await cloud.client.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription!;

describe('RegisterCertificate', () => {
  test('with caCertificatePem: registered under that CA, ACTIVE with setAsActive', async () => {
    const device = await makeDevice(ca, { commonName: 'reg-1' });
    const out = await cloud.client.send(new RegisterCertificateCommand({
      certificatePem: device.certificatePem, caCertificatePem: ca.certificatePem, setAsActive: true,
    }));
    expect(out).toMatchObject({ certificateId: device.certificateId, certificateArn: `arn:aws:iot:us-east-1:123456789012:cert/${device.certificateId}` });
    const d = await describeCert(device.certificateId);
    expect(d).toMatchObject({ status: 'ACTIVE', caCertificateId: ca.certificateId, certificateMode: 'DEFAULT', certificatePem: device.certificatePem });
    expect(d.validity!.notBefore).toBeInstanceOf(Date);
  });

  test('without caCertificatePem: the registered CA that signed it is found; status from the body', async () => {
    const device = await makeDevice(ca, { commonName: 'reg-2' }, 'RSA-2048');
    await cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem, status: 'PENDING_ACTIVATION' }));
    expect(await describeCert(device.certificateId)).toMatchObject({ status: 'PENDING_ACTIVATION', caCertificateId: ca.certificateId });
  });

  test('default status is INACTIVE', async () => {
    const device = await makeDevice(ca, { commonName: 'reg-3' });
    await cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem }));
    expect((await describeCert(device.certificateId)).status).toBe('INACTIVE');
  });

  test('signed by no registered CA, or not by the CA named: CertificateValidationException', async () => {
    const stranger = await makeDevice(otherCa, { commonName: 'stranger' });
    await expect(cloud.client.send(new RegisterCertificateCommand({ certificatePem: stranger.certificatePem })))
      .rejects.toBeInstanceOf(CertificateValidationException);
    await expect(cloud.client.send(new RegisterCertificateCommand({ certificatePem: stranger.certificatePem, caCertificatePem: ca.certificatePem })))
      .rejects.toBeInstanceOf(CertificateValidationException);
    const withItsOwnCa = new RegisterCertificateCommand({ certificatePem: stranger.certificatePem, caCertificatePem: otherCa.certificatePem });
    await expect(cloud.client.send(withItsOwnCa))
      .rejects.toBeInstanceOf(CertificateValidationException);
  });

  test('garbage PEM: CertificateValidationException; PENDING_TRANSFER is not a registration status', async () => {
    await expect(cloud.client.send(new RegisterCertificateCommand({ certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' })))
      .rejects.toBeInstanceOf(CertificateValidationException);
    const device = await makeDevice(ca, { commonName: 'reg-transfer' });
    await expect(cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem, status: 'PENDING_TRANSFER' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
  });

  test('the CA is INACTIVE: CertificateStateException', async () => {
    const { registrationCode } = await cloud.client.send(new GetRegistrationCodeCommand({}));
    const inactive = await makeCa('Inactive Root');
    await cloud.client.send(new RegisterCACertificateCommand({
      caCertificate: inactive.certificatePem, verificationCertificate: await verificationFor(inactive, registrationCode!),
    }));
    const device = await makeDevice(inactive, { commonName: 'of-inactive' });
    await expect(cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem })))
      .rejects.toBeInstanceOf(CertificateStateException);
    await cloud.client.send(new UpdateCACertificateCommand({ certificateId: inactive.certificateId, newStatus: 'ACTIVE' }));
    await cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem }));
  });

  test('the same certificate twice: ResourceAlreadyExistsException with its id and ARN', async () => {
    const device = await makeDevice(ca, { commonName: 'reg-twice' });
    await cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem }));
    const again = cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem }));
    await expect(again).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(again).rejects.toMatchObject({ resourceId: device.certificateId, resourceArn: expect.stringContaining(`cert/${device.certificateId}`) });
  });
});

describe('RegisterCertificateWithoutCA', () => {
  test('registers a certificate of an unregistered CA in SNI_ONLY mode, without a CA id', async () => {
    const device = await makeDevice(otherCa, { commonName: 'no-ca' }, 'ECDSA-P384');
    await cloud.client.send(new RegisterCertificateWithoutCACommand({ certificatePem: device.certificatePem, status: 'ACTIVE' }));
    const d = await describeCert(device.certificateId);
    expect(d).toMatchObject({ status: 'ACTIVE', certificateMode: 'SNI_ONLY' });
    expect(d.caCertificateId).toBeUndefined();
  });
});

describe('CreateKeysAndCertificate', () => {
  test('an RSA 2048 key pair and a certificate from the Amazon issuing CA', async () => {
    const out = await cloud.client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    expect(out.certificateId).toBe(certificateIdOf(out.certificatePem!));
    expect(out.keyPair!.PrivateKey).toContain('PRIVATE KEY');
    expect(out.keyPair!.PublicKey).toContain('PUBLIC KEY');
    const info = inspectCertificate(out.certificatePem!);
    expect(info.keyDescription).toBe('RSA-2048');
    expect(info.subject.commonName).toBe('AWS IoT Certificate');
    expect(info.issuerName).toContain('O=Amazon.com Inc.');
    expect(info.notAfter.getUTCFullYear()).toBe(2049);
    expect(await isIssuedBy(out.certificatePem!, await cloud.model.issuingCaCertificatePem())).toBe(true);
    expect((await describeCert(out.certificateId!)).status).toBe('ACTIVE');
  });

  test('INACTIVE without setAsActive', async () => {
    const out = await cloud.client.send(new CreateKeysAndCertificateCommand({}));
    expect((await describeCert(out.certificateId!)).status).toBe('INACTIVE');
  });
});

describe('CreateCertificateFromCsr', () => {
  test('certifies the CSR key, keeping its subject', async () => {
    const csr = await makeCsr('CN=from-csr, O=Acme');
    const out = await cloud.client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr, setAsActive: true }));
    const info = inspectCertificate(out.certificatePem!);
    expect(info.subject).toMatchObject({ commonName: 'from-csr', organizationName: 'Acme' });
    expect(info.certificateId).toBe(out.certificateId);
    expect((await describeCert(out.certificateId!)).status).toBe('ACTIVE');
  });

  test('a CSR whose signature does not verify, or that is not a CSR: InvalidRequestException', async () => {
    const csr = await makeCsr('CN=tampered');
    await expect(cloud.client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: tamper(csr) })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    await expect(cloud.client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: 'hello' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('UpdateCertificate', () => {
  test('ACTIVE <-> INACTIVE -> REVOKED, and a revoked certificate stays revoked', async () => {
    const device = await makeDevice(ca, { commonName: 'lifecycle' });
    await cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem, status: 'PENDING_ACTIVATION' }));
    const id = device.certificateId;
    for (const status of ['ACTIVE', 'INACTIVE', 'ACTIVE', 'REVOKED'] as const) {
      await cloud.client.send(new UpdateCertificateCommand({ certificateId: id, newStatus: status }));
      expect((await describeCert(id)).status).toBe(status);
    }
    await cloud.client.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'REVOKED' })); // idempotent
    for (const status of ['ACTIVE', 'INACTIVE'] as const) {
      await expect(cloud.client.send(new UpdateCertificateCommand({ certificateId: id, newStatus: status })))
        .rejects.toBeInstanceOf(CertificateStateException);
    }
    expect((await describeCert(id)).customerVersion).toBe(5);
  });

  test('PENDING_ACTIVATION, PENDING_TRANSFER and REGISTER_INACTIVE cannot be set', async () => {
    const out = await cloud.client.send(new CreateKeysAndCertificateCommand({}));
    for (const status of ['PENDING_ACTIVATION', 'PENDING_TRANSFER', 'REGISTER_INACTIVE'] as const) {
      await expect(cloud.client.send(new UpdateCertificateCommand({ certificateId: out.certificateId, newStatus: status })))
        .rejects.toBeInstanceOf(InvalidRequestException);
    }
  });

  test('an unknown certificate: ResourceNotFoundException', async () => {
    await expect(cloud.client.send(new UpdateCertificateCommand({ certificateId: 'c'.repeat(64), newStatus: 'ACTIVE' })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('DeleteCertificate', () => {
  test('refused while ACTIVE, while attached to a thing, while policies are attached (unless forceDelete)', async () => {
    const out = await cloud.client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const id = out.certificateId!;
    await cloud.client.send(new CreateThingCommand({ thingName: 'delete-cert-thing' }));
    await cloud.client.send(new CreatePolicyCommand({ policyName: 'delete-cert-policy', policyDocument: DEVICE_POLICY }));
    await cloud.client.send(new AttachPolicyCommand({ policyName: 'delete-cert-policy', target: out.certificateArn }));
    await cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'delete-cert-thing', principal: out.certificateArn }));

    await expect(cloud.client.send(new DeleteCertificateCommand({ certificateId: id }))).rejects.toBeInstanceOf(CertificateStateException);
    await cloud.client.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }));
    await expect(cloud.client.send(new DeleteCertificateCommand({ certificateId: id, forceDelete: true })))
      .rejects.toBeInstanceOf(DeleteConflictException);
    await cloud.client.send(new DetachThingPrincipalCommand({ thingName: 'delete-cert-thing', principal: out.certificateArn }));
    await expect(cloud.client.send(new DeleteCertificateCommand({ certificateId: id }))).rejects.toBeInstanceOf(DeleteConflictException);
    await cloud.client.send(new DeleteCertificateCommand({ certificateId: id, forceDelete: true }));

    await expect(cloud.client.send(new DescribeCertificateCommand({ certificateId: id }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(cloud.client.send(new ListAttachedPoliciesCommand({ target: out.certificateArn })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('ListCertificatesByCA and ListCertificates', () => {
  test('lists the certificates of one CA, in pages', async () => {
    const byCa = await cloud.client.send(new ListCertificatesByCACommand({ caCertificateId: ca.certificateId }));
    expect(byCa.certificates!.length).toBeGreaterThanOrEqual(5);
    for (const certificate of byCa.certificates!) {
      expect((await describeCert(certificate.certificateId!)).caCertificateId).toBe(ca.certificateId);
    }
    const firstPage = await cloud.client.send(new ListCertificatesByCACommand({ caCertificateId: ca.certificateId, pageSize: 2 }));
    expect(firstPage.certificates).toHaveLength(2);
    const secondPage = await cloud.client.send(new ListCertificatesByCACommand({
      caCertificateId: ca.certificateId, pageSize: 2, marker: firstPage.nextMarker,
    }));
    expect(secondPage.certificates![0].certificateId).toBe(byCa.certificates![2].certificateId);

    const all = await cloud.client.send(new ListCertificatesCommand({}));
    expect(all.certificates!.length).toBeGreaterThan(byCa.certificates!.length);
  });
});
