import {
  CreatePolicyCommand,
  CreateProvisioningClaimCommand,
  CreateProvisioningTemplateCommand,
  CreateThingGroupCommand,
  DeleteConflictException,
  DeleteProvisioningTemplateCommand,
  DescribeCertificateCommand,
  DescribeProvisioningTemplateCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  GetRegistrationCodeCommand,
  InvalidRequestException,
  ListAttachedPoliciesCommand,
  ListProvisioningTemplatesCommand,
  ListTagsForResourceCommand,
  ListThingPrincipalsCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  RegisterThingCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ResourceRegistrationFailureException,
} from '@aws-sdk/client-iot';
import { startTestCloud, type TestCloud } from './harness';
import { inspectCertificate, type GeneratedCa } from '../../../../lambda-assets/shared/pki';
import { DEVICE_POLICY, FLEET_TEMPLATE, JITP_TEMPLATE, makeCa, makeDevice, ROLE_ARN, verificationFor } from '../model/fixtures';

let cloud: TestCloud;
let ca: GeneratedCa;
const HOOK_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:hook';

beforeAll(async () => {
  cloud = await startTestCloud();
  ca = await makeCa('Provisioning Root');
  const { registrationCode } = await cloud.client.send(new GetRegistrationCodeCommand({}));
  await cloud.client.send(new RegisterCACertificateCommand({
    caCertificate: ca.certificatePem, verificationCertificate: await verificationFor(ca, registrationCode!), setAsActive: true,
  }));
  await cloud.client.send(new CreatePolicyCommand({ policyName: 'fleet-device', policyDocument: DEVICE_POLICY }));
});
afterAll(() => cloud.close());

describe('provisioning templates', () => {
  test('CreateProvisioningTemplate / Describe / List / Delete', async () => {
    const out = await cloud.client.send(new CreateProvisioningTemplateCommand({
      templateName: 'fleet_1',
      templateBody: FLEET_TEMPLATE,
      provisioningRoleArn: ROLE_ARN,
      enabled: true,
      description: 'fleet',
      preProvisioningHook: { targetArn: HOOK_ARN },
      tags: [{ Key: 'k', Value: 'v' }],
    }));
    expect(out).toEqual(expect.objectContaining({ templateName: 'fleet_1', templateArn: 'arn:aws:iot:us-east-1:123456789012:provisioningtemplate/fleet_1', defaultVersionId: 1 }));
    const described = await cloud.client.send(new DescribeProvisioningTemplateCommand({ templateName: 'fleet_1' }));
    expect(described).toMatchObject({
      templateBody: FLEET_TEMPLATE,
      enabled: true,
      type: 'FLEET_PROVISIONING',
      provisioningRoleArn: ROLE_ARN,
      description: 'fleet',
      preProvisioningHook: { targetArn: HOOK_ARN, payloadVersion: '2020-04-01' },
    });
    expect(described.creationDate).toBeInstanceOf(Date);
    expect((await cloud.client.send(new ListTagsForResourceCommand({ resourceArn: out.templateArn }))).tags).toEqual([{ Key: 'k', Value: 'v' }]);
    const listed = await cloud.client.send(new ListProvisioningTemplatesCommand({}));
    expect(listed.templates!.map(t => t.templateName)).toContain('fleet_1');

    await cloud.client.send(new DeleteProvisioningTemplateCommand({ templateName: 'fleet_1' }));
    await expect(cloud.client.send(new DescribeProvisioningTemplateCommand({ templateName: 'fleet_1' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(cloud.client.send(new DeleteProvisioningTemplateCommand({ templateName: 'fleet_1' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('refused: bad name, body over 10 KiB, invalid body, hook on a JITP template, duplicate', async () => {
    const base = { templateBody: FLEET_TEMPLATE, provisioningRoleArn: ROLE_ARN };
    const refuse = (input: Partial<ConstructorParameters<typeof CreateProvisioningTemplateCommand>[0]>) =>
      cloud.client.send(new CreateProvisioningTemplateCommand({ ...base, templateName: 'ok-name', ...input }));
    await expect(refuse({ templateName: 'has.dot' })).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(refuse({ templateName: 'x'.repeat(37) })).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(refuse({ templateBody: JSON.stringify({ Resources: {}, Padding: 'x'.repeat(10240) }) })).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(refuse({ templateBody: '{"Resources": {"t": {"Type": "AWS::S3::Bucket"}}}' })).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(refuse({ type: 'JITP', templateBody: JITP_TEMPLATE, preProvisioningHook: { targetArn: HOOK_ARN } })).rejects.toBeInstanceOf(InvalidRequestException);
    await refuse({});
    await expect(refuse({})).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  test('a JITP template named by a CA cannot be deleted', async () => {
    await cloud.client.send(new CreateProvisioningTemplateCommand({ templateName: 'jitp-in-use', templateBody: JITP_TEMPLATE, provisioningRoleArn: ROLE_ARN, type: 'JITP' }));
    const jitpCa = await makeCa('Template User CA');
    await cloud.client.send(new RegisterCACertificateCommand({
      caCertificate: jitpCa.certificatePem, certificateMode: 'SNI_ONLY', registrationConfig: { templateName: 'jitp-in-use' },
    }));
    await expect(cloud.client.send(new DeleteProvisioningTemplateCommand({ templateName: 'jitp-in-use' }))).rejects.toBeInstanceOf(DeleteConflictException);
  });
});

describe('CreateProvisioningClaim', () => {
  test('a claim certificate valid for five minutes, for an enabled fleet template only', async () => {
    await cloud.client.send(new CreateProvisioningTemplateCommand({ templateName: 'claims', templateBody: FLEET_TEMPLATE, provisioningRoleArn: ROLE_ARN }));
    await expect(cloud.client.send(new CreateProvisioningClaimCommand({ templateName: 'claims' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(cloud.client.send(new CreateProvisioningClaimCommand({ templateName: 'no-such' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    await cloud.client.send(new CreateProvisioningTemplateCommand({ templateName: 'claims-on', templateBody: FLEET_TEMPLATE, provisioningRoleArn: ROLE_ARN, enabled: true }));
    const before = Date.now();
    const claim = await cloud.client.send(new CreateProvisioningClaimCommand({ templateName: 'claims-on' }));
    expect(claim.keyPair!.PrivateKey).toContain('PRIVATE KEY');
    expect(claim.expiration!.getTime()).toBeGreaterThanOrEqual(before + 5 * 60 * 1000 - 1000);
    expect(claim.expiration!.getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60 * 1000 + 1000);
    const info = inspectCertificate(claim.certificatePem!);
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBeLessThanOrEqual(11 * 60 * 1000);
    const described = await cloud.client.send(new DescribeCertificateCommand({ certificateId: claim.certificateId }));
    expect(described.certificateDescription!.status).toBe('ACTIVE');
  });
});

describe('RegisterThing', () => {
  const template = (resources: Record<string, unknown>, parameters: Record<string, unknown> = {}) =>
    JSON.stringify({ Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' }, ...parameters }, Resources: resources });

  test('creates the thing, activates the certificate, creates the inline policy under a hashed name, attaches everything', async () => {
    const device = await makeDevice(ca, { commonName: 'rt-1' });
    await cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem }));
    await cloud.client.send(new CreateThingGroupCommand({ thingGroupName: 'registered' }));
    const body = template({
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' }, ThingGroups: ['registered'], AttributePayload: { model: 'x1' } } },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'CertificateId' }, Status: 'Active' } },
      inline: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: DEVICE_POLICY } },
      named: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'fleet-device' } },
    });
    const out = await cloud.client.send(new RegisterThingCommand({ templateBody: body, parameters: { ThingName: 'registered-1', CertificateId: device.certificateId } }));
    const certArn = `arn:aws:iot:us-east-1:123456789012:cert/${device.certificateId}`;
    expect(out.certificatePem).toBe(device.certificatePem);
    expect(out.resourceArns).toMatchObject({
      thing: 'arn:aws:iot:us-east-1:123456789012:thing/registered-1',
      certificate: certArn,
      named: 'arn:aws:iot:us-east-1:123456789012:policy/fleet-device',
    });
    expect(out.resourceArns!.inline).toMatch(/:policy\/[0-9A-F]{40}$/);
    const inlineName = out.resourceArns!.inline.split('/')[1];
    expect((await cloud.client.send(new GetPolicyCommand({ policyName: inlineName }))).policyDocument).toBe(DEVICE_POLICY);
    expect((await cloud.client.send(new DescribeThingCommand({ thingName: 'registered-1' }))).attributes).toEqual({ model: 'x1' });
    expect((await cloud.client.send(new DescribeCertificateCommand({ certificateId: device.certificateId }))).certificateDescription!.status).toBe('ACTIVE');
    expect((await cloud.client.send(new ListThingPrincipalsCommand({ thingName: 'registered-1' }))).principals).toEqual([certArn]);
    const attached = await cloud.client.send(new ListAttachedPoliciesCommand({ target: certArn }));
    expect(attached.policies!.map(p => p.policyName).sort()).toEqual([inlineName, 'fleet-device'].sort());
  });

  test('registers a new certificate from CertificatePem', async () => {
    const device = await makeDevice(ca, { commonName: 'rt-pem' });
    const body = JSON.stringify({
      Parameters: { Pem: { Type: 'String' } },
      Resources: { certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificatePem: { Ref: 'Pem' }, Status: 'INACTIVE' } } },
    });
    const out = await cloud.client.send(new RegisterThingCommand({ templateBody: body, parameters: { Pem: device.certificatePem } }));
    expect(out.resourceArns!.certificate).toContain(device.certificateId);
    const described = await cloud.client.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    expect(described.certificateDescription).toMatchObject({ status: 'INACTIVE', caCertificateId: ca.certificateId });
  });

  test('a failing resource leaves nothing behind: ResourceRegistrationFailureException', async () => {
    const device = await makeDevice(ca, { commonName: 'rt-fail' });
    await cloud.client.send(new RegisterCertificateCommand({ certificatePem: device.certificatePem }));
    const body = template({
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'CertificateId' }, Status: 'ACTIVE' } },
      inline: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: '{"Statement": [{"Effect": "Allow"}]}' } },
    });
    await expect(cloud.client.send(new RegisterThingCommand({ templateBody: body, parameters: { ThingName: 'half-made', CertificateId: device.certificateId } })))
      .rejects.toBeInstanceOf(ResourceRegistrationFailureException);
    await expect(cloud.client.send(new DescribeThingCommand({ thingName: 'half-made' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await cloud.client.send(new DescribeCertificateCommand({ certificateId: device.certificateId }))).certificateDescription!.status).toBe('INACTIVE');
  });

  test('template errors (bad JSON, missing parameter) are invalid requests', async () => {
    await expect(cloud.client.send(new RegisterThingCommand({ templateBody: '{"Resources": ' }))).rejects.toBeInstanceOf(InvalidRequestException);
    const body = template({ thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } } });
    await expect(cloud.client.send(new RegisterThingCommand({ templateBody: body, parameters: { CertificateId: 'x' } }))).rejects.toBeInstanceOf(InvalidRequestException);
  });
});
