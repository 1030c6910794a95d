/**
 * The provisioning role at model level: JITP and fleet provisioning's RegisterThing ask the
 * provisioning-role authorizer, before anything is applied, with the role and every IAM request the
 * plan makes (derived from the control plane's IAM resource table); a refusal leaves nothing behind.
 */
import { DEVICE_POLICY, FLEET_TEMPLATE, JITP_TEMPLATE, makeCa, makeCsr, makeDevice, ROLE_ARN, verificationFor } from './fixtures';
import type { GeneratedCa } from '../../../../lambda-assets/shared/pki';
import { IotModel, IotServiceError, type ProvisioningRoleDecision, type ProvisioningRoleRequest } from '../../../../local/iot';
import { inlinePolicyName } from '../../../../local/iot/model/provisioning';

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const DENIED = 'User: arn:aws:iam::123456789012:role/provisioning is not authorized to perform: iot:CreateThing on resource: '
  + `${ARN}:thing/refused because no identity-based policy allows the iot:CreateThing action`;

interface Call {
  readonly roleArn: string;
  readonly requests: readonly ProvisioningRoleRequest[];
  readonly sourceArn: string;
}

/** An authorizer that records its calls and answers with `decide`. */
function recording(decide: (call: Call) => ProvisioningRoleDecision = () => ({ allowed: true, reason: 'ok' })) {
  const calls: Call[] = [];
  const authorizer = (roleArn: string, requests: readonly ProvisioningRoleRequest[], sourceArn: string) => {
    const call = { roleArn, requests, sourceArn };
    calls.push(call);
    return decide(call);
  };
  return { calls, authorizer };
}

async function registerJitpCa(model: IotModel, ca: GeneratedCa, registrationConfig: Record<string, string>): Promise<void> {
  const { registrationCode } = await model.getRegistrationCode();
  await model.registerCACertificate({
    caCertificate: ca.certificatePem,
    verificationCertificate: await verificationFor(ca, registrationCode!),
    setAsActive: true,
    allowAutoRegistration: true,
    registrationConfig,
  });
}

function request(action: string, resource: string): ProvisioningRoleRequest {
  return { action, resource };
}

describe('JITP asks the provisioning role first', () => {
  let model: IotModel;
  let ca: GeneratedCa;
  const policyName = inlinePolicyName(DEVICE_POLICY);

  beforeAll(async () => {
    model = new IotModel({ rateLimits: false });
    ca = await makeCa('JITP Role Root');
    await registerJitpCa(model, ca, { templateBody: JITP_TEMPLATE, roleArn: ROLE_ARN });
  });

  test('with the CA\'s role, the CA certificate as source, and every call of the template on its resource', async () => {
    const { calls, authorizer } = recording();
    model.setProvisioningRoleAuthorizer(authorizer);
    const device = await makeDevice(ca, { commonName: 'role-thing-1' });
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: true });
    const cert = `${ARN}:cert/${device.certificateId}`;
    expect(calls).toEqual([{
      roleArn: ROLE_ARN,
      sourceArn: `${ARN}:cacert/${ca.certificateId}`,
      requests: [
        request('iot:DescribeCertificate', cert),
        request('iot:UpdateCertificate', cert),
        request('iot:CreateThing', `${ARN}:thing/role-thing-1`),
        request('iot:CreatePolicy', `${ARN}:policy/${policyName}`),
        // AttachPolicy is checked on the target and the policy, as the control plane checks it.
        request('iot:AttachPolicy', cert),
        request('iot:AttachPolicy', `${ARN}:policy/${policyName}`),
        request('iot:AttachThingPrincipal', `${ARN}:thing/role-thing-1`),
      ],
    }]);
  });

  test('what already exists is described, not created: the shared inline policy, an existing thing', async () => {
    await model.createThing({ thingName: 'role-thing-2' });
    const { calls, authorizer } = recording();
    model.setProvisioningRoleAuthorizer(authorizer);
    const device = await makeDevice(ca, { commonName: 'role-thing-2' });
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: true });
    const actions = calls[0].requests.map(r => r.action);
    expect(actions).toContain('iot:DescribeThing');
    expect(actions).not.toContain('iot:CreateThing');
    expect(actions).not.toContain('iot:CreatePolicy');
    // The template sets attributes, but its OverrideSettings leave an existing thing alone (DO_NOTHING).
    expect(actions).not.toContain('iot:UpdateThing');
  });

  test('a refusal fails JITP like a template failure: the reason is the authorizer\'s, the certificate stays PENDING_ACTIVATION, nothing else is made', async () => {
    const { calls, authorizer } = recording(() => ({ allowed: false, reason: DENIED }));
    model.setProvisioningRoleAuthorizer(authorizer);
    const device = await makeDevice(ca, { commonName: 'refused' });
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: false, reason: DENIED });
    const certificate = model.certificate(device.certificateId)!;
    expect(certificate.status).toBe('PENDING_ACTIVATION');
    expect(model.thing('refused')).toBeUndefined();
    expect(model.thingsOfPrincipal(certificate.certificateArn)).toEqual([]);
    expect(model.policyDocumentsOfPrincipal(certificate.certificateArn)).toEqual([]);
    // Every connect asks again; once the role allows it, the device is provisioned.
    model.setProvisioningRoleAuthorizer(recording().authorizer);
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: true });
    expect(calls).toHaveLength(1);
  });

  test('an asynchronous authorizer is awaited', async () => {
    model.setProvisioningRoleAuthorizer(async () => ({ allowed: false, reason: 'later, no' }));
    const device = await makeDevice(ca, { commonName: 'async-refused' });
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: false, reason: 'later, no' });
  });

  test('a JITP template named by the CA is run as that template\'s role, with the template as source', async () => {
    const namedRole = 'arn:aws:iam::123456789012:role/named-jitp';
    await model.createProvisioningTemplate({ templateName: 'jitp-role', templateBody: JITP_TEMPLATE, provisioningRoleArn: namedRole, type: 'JITP', enabled: true });
    const named = await makeCa('Named JITP Role Root');
    await registerJitpCa(model, named, { templateName: 'jitp-role' });
    const { calls, authorizer } = recording();
    model.setProvisioningRoleAuthorizer(authorizer);
    const device = await makeDevice(named, { commonName: 'named-role-thing' });
    expect(await model.provisionJustInTime(device.certificatePem, named.certificateId)).toEqual({ provisioned: true });
    expect(calls.map(({ roleArn, sourceArn }) => ({ roleArn, sourceArn }))).toEqual([{ roleArn: namedRole, sourceArn: `${ARN}:provisioningtemplate/jitp-role` }]);
  });

  test('a template failure is reported before the role is asked', async () => {
    const { calls, authorizer } = recording();
    model.setProvisioningRoleAuthorizer(authorizer);
    const device = await makeDevice(ca, { organizationName: 'No CN' });
    const result = await model.provisionJustInTime(device.certificatePem, ca.certificateId);
    expect(result).toMatchObject({ provisioned: false, reason: expect.stringContaining('AWS::IoT::Certificate::CommonName') });
    expect(calls).toEqual([]);
  });

  test('without an authorizer (a local cloud with no IAM) every role may do everything', async () => {
    model.setProvisioningRoleAuthorizer(undefined);
    const device = await makeDevice(ca, { commonName: 'no-iam-thing' });
    expect(await model.provisionJustInTime(device.certificatePem, ca.certificateId)).toEqual({ provisioned: true });
  });
});

describe('fleet provisioning\'s RegisterThing asks the template\'s role', () => {
  async function fleetModel(): Promise<{ model: IotModel; certificateId: string; token: string }> {
    const model = new IotModel({ rateLimits: false });
    await model.createPolicy({ policyName: 'fleet-device', policyDocument: DEVICE_POLICY });
    await model.createThingGroup({ thingGroupName: 'fleet' });
    const body = JSON.parse(FLEET_TEMPLATE);
    body.Resources.thing.Properties.ThingGroups = ['fleet'];
    await model.createProvisioningTemplate({ templateName: 'fleet', templateBody: JSON.stringify(body), provisioningRoleArn: ROLE_ARN, enabled: true });
    const issued = await model.createCertificateFromCsrForFleet(await makeCsr('CN=fleet-device'));
    return { model, certificateId: issued.certificateId, token: issued.certificateOwnershipToken };
  }

  test('with the template\'s role and ARN, and the calls of the template (an existing policy is only attached)', async () => {
    const { model, certificateId, token } = await fleetModel();
    const { calls, authorizer } = recording();
    model.setProvisioningRoleAuthorizer(authorizer);
    await model.registerThingWithOwnershipToken('fleet', token, { SerialNumber: '9' }, 'claim', 'client');
    const cert = `${ARN}:cert/${certificateId}`;
    expect(calls).toEqual([{
      roleArn: ROLE_ARN,
      sourceArn: `${ARN}:provisioningtemplate/fleet`,
      requests: [
        request('iot:DescribeCertificate', cert),
        request('iot:UpdateCertificate', cert),
        request('iot:CreateThing', `${ARN}:thing/device-9`),
        request('iot:AddThingToThingGroup', `${ARN}:thinggroup/fleet`),
        request('iot:AddThingToThingGroup', `${ARN}:thing/device-9`),
        request('iot:AttachPolicy', cert),
        request('iot:AttachPolicy', `${ARN}:policy/fleet-device`),
        request('iot:AttachThingPrincipal', `${ARN}:thing/device-9`),
      ],
    }]);
  });

  test('a refusal rejects with 403 AccessDenied and the reason; nothing is applied and the token still works', async () => {
    const { model, certificateId, token } = await fleetModel();
    model.setProvisioningRoleAuthorizer(() => ({ allowed: false, reason: DENIED }));
    const error = await model.registerThingWithOwnershipToken('fleet', token, { SerialNumber: '9' }, 'claim', 'client').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IotServiceError);
    expect((error as IotServiceError).rejectedPayload).toEqual({ statusCode: 403, errorCode: 'AccessDenied', errorMessage: DENIED });
    expect(model.certificate(certificateId)!.status).toBe('PENDING_ACTIVATION');
    expect(model.thing('device-9')).toBeUndefined();
    model.setProvisioningRoleAuthorizer(undefined);
    expect(await model.registerThingWithOwnershipToken('fleet', token, { SerialNumber: '9' }, 'claim', 'client')).toMatchObject({ thingName: 'device-9' });
  });
});
