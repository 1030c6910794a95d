import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVICE_POLICY, JITP_TEMPLATE, makeCa, makeDevice, ROLE_ARN, verificationFor } from './fixtures';
import { certificateIdOf, createCaCertificate, inspectCertificate, type GeneratedCa } from '../../../../lambda-assets/shared/pki';
import type { GatewayRegistry } from '../../../../local/gateway/registry-view';
import { IotModel, IotServiceError } from '../../../../local/iot';

async function registerCa(model: IotModel, ca: GeneratedCa, extra: Record<string, unknown> = {}): Promise<void> {
  const { registrationCode } = await model.getRegistrationCode();
  await model.registerCACertificate({
    caCertificate: ca.certificatePem,
    verificationCertificate: await verificationFor(ca, registrationCode!),
    setAsActive: true,
    allowAutoRegistration: true,
    ...extra,
  });
}

/** A model without rate limits and a CA registered in it for auto-registration. */
async function modelWithRegisteredCa(name: string): Promise<{ model: IotModel; ca: GeneratedCa }> {
  const model = new IotModel({ rateLimits: false });
  const ca = await makeCa(name);
  await registerCa(model, ca);
  return { model, ca };
}

test('IotModel is what the MQTT gateway expects of a registry', () => {
  const registry: GatewayRegistry = new IotModel();
  expect(registry.accountId).toBe('123456789012');
  expect(registry.region).toBe('us-east-1');
});

describe('registerPendingCertificate (JITR)', () => {
  test('registers PENDING_ACTIVATION under the CA, in its certificate mode; a second call returns the record unchanged', async () => {
    const { model, ca } = await modelWithRegisteredCa('JITR Root');
    const device = await makeDevice(ca, { commonName: 'jitr-1' });
    const first = model.registerPendingCertificate(device.certificatePem, ca.certificateId);
    expect(first).toMatchObject({
      certificateId: device.certificateId,
      status: 'PENDING_ACTIVATION',
      caCertificateId: ca.certificateId,
      certificateMode: 'DEFAULT',
      certificateArn: `arn:aws:iot:us-east-1:123456789012:cert/${device.certificateId}`,
    });
    await model.updateCertificate({ certificateId: device.certificateId, newStatus: 'ACTIVE' });
    const second = model.registerPendingCertificate(device.certificatePem, ca.certificateId);
    expect(second.status).toBe('ACTIVE');
    expect(second.creationDate.getTime()).toBe(first.creationDate.getTime());
    expect((await model.listCertificatesByCA({ caCertificateId: ca.certificateId })).certificates).toHaveLength(1);
  });

  test('records handed out are copies', async () => {
    const { model, ca } = await modelWithRegisteredCa('Copy Root');
    const device = await makeDevice(ca, { commonName: 'copy' });
    const record = model.registerPendingCertificate(device.certificatePem, ca.certificateId);
    (record as { status: string }).status = 'ACTIVE';
    expect(model.certificate(device.certificateId)!.status).toBe('PENDING_ACTIVATION');
    expect(model.certificate('0'.repeat(64))).toBeUndefined();
  });

  test('certificateStatus answers the status without a copy of the record', async () => {
    const { model, ca } = await modelWithRegisteredCa('Status Root');
    const device = await makeDevice(ca, { commonName: 'status' });
    expect(model.certificateStatus(device.certificateId)).toBeUndefined();
    model.registerPendingCertificate(device.certificatePem, ca.certificateId);
    expect(model.certificateStatus(device.certificateId)).toBe('PENDING_ACTIVATION');
    await model.updateCertificate({ certificateId: device.certificateId, newStatus: 'ACTIVE' });
    expect(model.certificateStatus(device.certificateId)).toBe('ACTIVE');
  });

  test('an unknown CA is ResourceNotFoundException', async () => {
    const model = new IotModel();
    const ca = await makeCa('Unknown Root');
    const device = await makeDevice(ca, { commonName: 'x' });
    expect(() => model.registerPendingCertificate(device.certificatePem, ca.certificateId)).toThrow(IotServiceError);
  });
});

describe('findRegisteredIssuer', () => {
  let model: IotModel;
  let rsa: GeneratedCa;
  let ecdsa: GeneratedCa;
  let twinA: GeneratedCa;
  let twinB: GeneratedCa;

  beforeAll(async () => {
    model = new IotModel({ rateLimits: false });
    rsa = await makeCa('RSA Root', 'RSA-2048');
    ecdsa = await makeCa('ECDSA Root', 'ECDSA-P384');
    await registerCa(model, rsa);
    await registerCa(model, ecdsa, { setAsActive: false });
    // Two CAs with the same subject and different keys.
    twinA = await createCaCertificate({ subject: { commonName: 'Twin Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    twinB = await createCaCertificate({ subject: { commonName: 'Twin Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    await registerCa(model, twinA);
    await registerCa(model, twinB);
  });

  test('finds an RSA CA and an ECDSA CA by signature, whether or not the device presented them', async () => {
    const rsaDevice = await makeDevice(rsa, { commonName: 'rsa-device' }, 'ECDSA-P256');
    const ecdsaDevice = await makeDevice(ecdsa, { commonName: 'ecdsa-device' }, 'RSA-2048');
    expect((await model.findRegisteredIssuer(rsaDevice.certificatePem, [rsa.certificatePem]))?.certificateId).toBe(rsa.certificateId);
    expect((await model.findRegisteredIssuer(rsaDevice.certificatePem, []))?.certificateId).toBe(rsa.certificateId);
    const found = await model.findRegisteredIssuer(ecdsaDevice.certificatePem, [ecdsa.certificatePem]);
    expect(found).toMatchObject({ certificateId: ecdsa.certificateId, status: 'INACTIVE', autoRegistrationStatus: 'ENABLE', certificateMode: 'DEFAULT' });
  });

  test('tells same-subject CAs apart by key', async () => {
    const fromB = await makeDevice(twinB, { commonName: 'twin-b-device' });
    expect((await model.findRegisteredIssuer(fromB.certificatePem, [twinA.certificatePem]))?.certificateId).toBe(twinB.certificateId);
    expect((await model.findRegisteredIssuer(fromB.certificatePem, [twinB.certificatePem]))?.certificateId).toBe(twinB.certificateId);
  });

  test('undefined for an unregistered issuer, a self-signed certificate or garbage', async () => {
    const stranger = await makeCa('Stranger Root');
    const device = await makeDevice(stranger, { commonName: 'stranger' });
    expect(await model.findRegisteredIssuer(device.certificatePem, [stranger.certificatePem, 'junk'])).toBeUndefined();
    expect(await model.findRegisteredIssuer(stranger.certificatePem, [])).toBeUndefined();
    expect(await model.findRegisteredIssuer('not a pem', [])).toBeUndefined();
  });
});

describe('things and policies of a principal', () => {
  test('policies attached to the certificate and to the groups (and ancestors) of its things', async () => {
    const model = new IotModel({ rateLimits: false });
    const cert = await model.createKeysAndCertificate({ setAsActive: true });
    await model.createThing({ thingName: 'lamp' });
    await model.createThingGroup({ thingGroupName: 'house' });
    await model.createThingGroup({ thingGroupName: 'kitchen', parentGroupName: 'house' });
    await model.addThingToThingGroup({ thingGroupName: 'kitchen', thingName: 'lamp' });
    await model.attachThingPrincipal({ thingName: 'lamp', principal: cert.certificateArn });
    for (const name of ['direct', 'inherited']) await model.createPolicy({ policyName: name, policyDocument: DEVICE_POLICY });
    await model.attachPolicy({ policyName: 'direct', target: cert.certificateArn });
    await model.attachPolicy({ policyName: 'inherited', target: 'arn:aws:iot:us-east-1:123456789012:thinggroup/house' });

    expect(model.thingsOfPrincipal(cert.certificateArn!)).toEqual(['lamp']);
    expect(model.thing('lamp')).toMatchObject({ thingName: 'lamp', attributes: {} });
    expect(model.thing('nothing')).toBeUndefined();
    const policies = model.policyDocumentsOfPrincipal(cert.certificateArn!);
    expect(policies.map(p => p.policyName)).toEqual(['direct', 'inherited']);
    expect(policies[0].document).toBe(DEVICE_POLICY);
    expect(model.policyDocumentsOfPrincipal('arn:aws:iot:us-east-1:123456789012:cert/none')).toEqual([]);
  });
});

describe('provisionJustInTime (JITP)', () => {
  let model: IotModel;
  let ca: GeneratedCa;

  beforeAll(async () => {
    model = new IotModel({ rateLimits: false });
    ca = await makeCa('JITP Root');
    await registerCa(model, ca, { registrationConfig: { templateBody: JITP_TEMPLATE, roleArn: ROLE_ARN } });
  });

  test('registers, runs the CA template with the certificate fields, activates, and attaches', async () => {
    const device = await makeDevice(ca, { commonName: 'jitp-thing-1' });
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: true });
    const certificate = model.certificate(device.certificateId)!;
    expect(certificate).toMatchObject({ status: 'ACTIVE', caCertificateId: ca.certificateId });
    expect(model.thing('jitp-thing-1')).toMatchObject({ attributes: { provisionedBy: 'jitp' } });
    expect(model.thingsOfPrincipal(certificate.certificateArn)).toEqual(['jitp-thing-1']);
    expect(model.policyDocumentsOfPrincipal(certificate.certificateArn).map(p => p.document)).toEqual([DEVICE_POLICY]);
    // Connecting again changes nothing.
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: true });
  });

  test('a certificate without the subject field the template declares stays PENDING_ACTIVATION, and nothing else is made', async () => {
    const device = await makeDevice(ca, { organizationName: 'No CN Inc' });
    const result = await model.provisionJustInTime(device.certificatePem, ca.certificateId);
    expect(result.provisioned).toBe(false);
    expect(result.reason).toContain('AWS::IoT::Certificate::CommonName');
    expect(model.certificate(device.certificateId)!.status).toBe('PENDING_ACTIVATION');
    expect((await model.listThings({})).things!.map(t => t.thingName)).toEqual(['jitp-thing-1']);
  });

  test('a failure while applying (a thing name AWS refuses) rolls everything back', async () => {
    const device = await makeDevice(ca, { commonName: 'bad name with spaces' });
    const result = await model.provisionJustInTime(device.certificatePem, ca.certificateId);
    expect(result.provisioned).toBe(false);
    expect(model.certificate(device.certificateId)!.status).toBe('PENDING_ACTIVATION');
    expect(model.policyDocumentsOfPrincipal(model.certificate(device.certificateId)!.certificateArn)).toEqual([]);
  });

  test('a CA without a template is reported, not provisioned', async () => {
    const plain = await makeCa('Plain Root');
    await registerCa(model, plain);
    const device = await makeDevice(plain, { commonName: 'plain' });
    expect((await model.provisionJustInTime(device.certificatePem, plain.certificateId)).provisioned).toBe(false);
  });

  test('a certificate parameter declared with a Default still has to be in the certificate: nothing is provisioned', async () => {
    const body = JSON.parse(JITP_TEMPLATE);
    body.Parameters['AWS::IoT::Certificate::OrganizationalUnit'] = { Type: 'String', Default: 'none' };
    body.Resources.thing.Properties.AttributePayload = { unit: { Ref: 'AWS::IoT::Certificate::OrganizationalUnit' } };
    const strict = await makeCa('JITP Default Root');
    await registerCa(model, strict, { registrationConfig: { templateBody: JSON.stringify(body), roleArn: ROLE_ARN } });
    const without = await makeDevice(strict, { commonName: 'jitp-no-unit' });
    const result = await model.provisionJustInTime(without.certificatePem, strict.certificateId);
    expect(result).toEqual({ provisioned: false, reason: expect.stringMatching(/^No value for parameter AWS::IoT::Certificate::OrganizationalUnit: /) });
    expect(model.certificate(without.certificateId)!.status).toBe('PENDING_ACTIVATION');
    expect(model.thing('jitp-no-unit')).toBeUndefined();
    const withUnit = await makeDevice(strict, { commonName: 'jitp-unit', organizationUnitName: 'sensors' });
    expect(await model.provisionJustInTime(withUnit.certificatePem, strict.certificateId)).toEqual({ provisioned: true });
    expect(model.thing('jitp-unit')?.attributes).toEqual({ unit: 'sensors' });
  });

  test('a template named by the CA (type JITP) works the same', async () => {
    await model.createProvisioningTemplate({ templateName: 'jitp-named', templateBody: JITP_TEMPLATE, provisioningRoleArn: ROLE_ARN, type: 'JITP', enabled: true });
    const named = await makeCa('Named JITP Root');
    await registerCa(model, named, { registrationConfig: { templateName: 'jitp-named' } });
    const device = await makeDevice(named, { commonName: 'jitp-named-thing' });
    expect(await model.provisionJustInTime(device.certificatePem, named.certificateId)).toEqual({ provisioned: true });
  });
});

describe('registerPendingCertificate reads the presented certificate natively', () => {
  test('its validity is the certificate\'s, to the second, as DescribeCertificate shows it', async () => {
    const { model, ca } = await modelWithRegisteredCa('Validity Root');
    const device = await makeDevice(ca, { commonName: 'validity' });
    model.registerPendingCertificate(device.certificatePem, ca.certificateId);
    const info = inspectCertificate(device.certificatePem);
    const { certificateDescription } = await model.describeCertificate({ certificateId: device.certificateId });
    expect(certificateDescription!.validity).toEqual({ notBefore: info.notBefore, notAfter: info.notAfter });
  });

  test('a key AWS IoT does not accept (RSA-1024, signed by the registered CA) is CertificateValidationException and nothing is registered', async () => {
    const { model, ca } = await modelWithRegisteredCa('Weak Key Root');
    const directory = mkdtempSync(join(tmpdir(), 'weak-device-'));
    try {
      writeFileSync(join(directory, 'ca.pem'), ca.certificatePem);
      writeFileSync(join(directory, 'ca.key'), ca.privateKeyPem, { mode: 0o600 });
      execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', join(directory, 'device.key'), '-subj', '/CN=weak', '-out', join(directory, 'device.csr')], { stdio: 'ignore' });
      execFileSync('openssl', ['x509', '-req', '-in', join(directory, 'device.csr'), '-CA', join(directory, 'ca.pem'), '-CAkey', join(directory, 'ca.key'),
        '-CAcreateserial', '-days', '1', '-sha256', '-out', join(directory, 'device.pem')], { stdio: 'ignore' });
      const weakPem = readFileSync(join(directory, 'device.pem'), 'utf8');
      expect(() => model.registerPendingCertificate(weakPem, ca.certificateId)).toThrow(/RSA-1024 key; AWS IoT accepts RSA of at least 2048 bits/);
      expect(model.certificate(certificateIdOf(weakPem))).toBeUndefined();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('PEM that is not a certificate is CertificateValidationException', async () => {
    const { model, ca } = await modelWithRegisteredCa('Garbage Root');
    expect(() => model.registerPendingCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', ca.certificateId))
      .toThrow(expect.objectContaining({ name: 'CertificateValidationException' }));
  });
});
