/**
 * The runner's provisioning-role authorizer (LocalIam) on the IoT model: JITP and RegisterThing act
 * as the template's role only if the role exists, trusts iot.amazonaws.com and allows every call the
 * template makes; otherwise they fail with AWS's AccessDenied sentence and change nothing.
 */
import type { GeneratedCa } from '../../../../lambda-assets/shared/pki';
import { IotModel, IotServiceError } from '../../../../local/iot';
import { managedPolicyDocument } from '../../../../local/runner/deploy/managed-policies';
import { LocalIam, type PolicyDocument, type PolicyStatement } from '../../../../local/runner/iam';
import { provisioningRoleAuthorizer } from '../../../../local/runner/iot-provisioning';
import { makeCa, makeCsr, makeDevice, verificationFor } from '../../iot/model/fixtures';
import { THINGS_REGISTRATION_POLICY, trustFor } from '../../support/hand-written-assembly';

const ACCOUNT = '123456789012';
const ARN = `arn:aws:iot:us-east-1:${ACCOUNT}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const DEVICE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/\${iot:Connection.Thing.ThingName}` }],
});

/** A JITP template: the thing named by the certificate's CN, the certificate activated, an inline policy attached. */
const TEMPLATE = JSON.stringify({
  Parameters: { 'AWS::IoT::Certificate::CommonName': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' } } },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: DEVICE_POLICY } },
  },
});

function allow(actions: string[], resources: string[]): PolicyStatement {
  return { Effect: 'Allow', Action: actions, Resource: resources };
}

/** What the template needs, on the things whose names match `things`, and nothing else. */
function narrowPolicy(things = 'sensor-*', thingActions = ['iot:CreateThing', 'iot:DescribeThing', 'iot:AttachThingPrincipal']): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      allow(thingActions, [`${ARN}:thing/${things}`]),
      allow(['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:AttachPolicy'], [`${ARN}:cert/*`]),
      allow(['iot:CreatePolicy', 'iot:AttachPolicy'], [`${ARN}:policy/*`]),
    ],
  };
}

const IOT_TRUST = trustFor('iot.amazonaws.com') as unknown as PolicyDocument;

let model: IotModel;
let iam: LocalIam;
let ca: GeneratedCa;
let devices = 0;

beforeAll(async () => {
  model = new IotModel({ rateLimits: false });
  iam = new LocalIam({ accountId: ACCOUNT, region: 'us-east-1' });
  model.setProvisioningRoleAuthorizer(provisioningRoleAuthorizer(iam, ACCOUNT));
  ca = await makeCa('Provisioning Role Root');
  const { registrationCode } = await model.getRegistrationCode();
  await model.registerCACertificate({
    caCertificate: ca.certificatePem,
    verificationCertificate: await verificationFor(ca, registrationCode!),
    setAsActive: true,
    allowAutoRegistration: true,
    registrationConfig: { templateBody: TEMPLATE, roleArn: roleArn('placeholder') },
  });
});

/** Declares the role (trust and identity policies), points the CA's JITP config at it, and connects a new device. */
async function jitpAs(name: string, trust: PolicyDocument | undefined, policies: PolicyDocument[], thingName = `sensor-${++devices}`) {
  if (trust !== undefined || policies.length > 0) {
    iam.addRole(roleArn(name), policies);
    if (trust) iam.setTrustPolicy(roleArn(name), trust);
  }
  await model.updateCACertificate({ certificateId: ca.certificateId, registrationConfig: { templateBody: TEMPLATE, roleArn: roleArn(name) } });
  const device = await makeDevice(ca, { commonName: thingName });
  const result = await model.provisionJustInTime(device.certificatePem, ca.certificateId);
  return { result, device, thingName };
}

/** Nothing but the PENDING_ACTIVATION certificate is left. */
function expectNothingProvisioned(certificateId: string, thingName: string): void {
  const certificate = model.certificate(certificateId)!;
  expect(certificate.status).toBe('PENDING_ACTIVATION');
  expect(model.thing(thingName)).toBeUndefined();
  expect(model.policyDocumentsOfPrincipal(certificate.certificateArn)).toEqual([]);
}

describe('JITP as the CA\'s provisioning role', () => {
  test('a role that does not trust iot.amazonaws.com: IoT may not assume it', async () => {
    const { result, device, thingName } = await jitpAs('lambda-trust', trustFor('lambda.amazonaws.com') as unknown as PolicyDocument,
      [managedPolicyDocument(THINGS_REGISTRATION_POLICY)!]);
    expect(result).toEqual({
      provisioned: false,
      reason: `User: iot.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${roleArn('lambda-trust')} `
        + 'because no resource-based policy allows the sts:AssumeRole action',
    });
    expectNothingProvisioned(device.certificateId, thingName);
  });

  test('a role that does not exist is refused the same way', async () => {
    const { result, device, thingName } = await jitpAs('missing', undefined, []);
    expect(result.reason).toBe(`User: iot.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${roleArn('missing')} `
      + 'because no resource-based policy allows the sts:AssumeRole action');
    expectNothingProvisioned(device.certificateId, thingName);
  });

  test('a trust policy whose aws:SourceAccount condition names another account is refused; one naming this account works', async () => {
    const other = await jitpAs('other-account-trust', trustFor('iot.amazonaws.com', { StringEquals: { 'aws:SourceAccount': '999999999999' } }) as unknown as PolicyDocument,
      [narrowPolicy()]);
    expect(other.result.reason).toMatch(/^User: iot\.amazonaws\.com is not authorized to perform: sts:AssumeRole/);
    const own = await jitpAs('own-account-trust', trustFor('iot.amazonaws.com', {
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnLike: { 'aws:SourceArn': `${ARN}:cacert/*` },
    }) as unknown as PolicyDocument, [narrowPolicy()]);
    expect(own.result).toEqual({ provisioned: true });
  });

  test('a role missing iot:AttachThingPrincipal: refused on that call, and nothing of the template is applied', async () => {
    const { result, device, thingName } = await jitpAs('no-attach', IOT_TRUST, [narrowPolicy('*', ['iot:CreateThing', 'iot:DescribeThing'])]);
    expect(result).toEqual({
      provisioned: false,
      reason: `User: ${roleArn('no-attach')} is not authorized to perform: iot:AttachThingPrincipal on resource: ${ARN}:thing/${thingName} `
        + 'because no identity-based policy allows the iot:AttachThingPrincipal action',
    });
    expectNothingProvisioned(device.certificateId, thingName);
  });

  test('a role scoped to other things: refused on CreateThing of this one', async () => {
    const { result, device, thingName } = await jitpAs('other-things', IOT_TRUST, [narrowPolicy('actuator-*')]);
    expect(result.reason).toBe(`User: ${roleArn('other-things')} is not authorized to perform: iot:CreateThing on resource: ${ARN}:thing/${thingName} `
      + 'because no identity-based policy allows the iot:CreateThing action');
    expectNothingProvisioned(device.certificateId, thingName);
  });

  test('an explicit Deny in the role wins over the managed policy', async () => {
    const deny: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:AttachPolicy', Resource: `${ARN}:policy/*` }] };
    const { result, device, thingName } = await jitpAs('denies-attach-policy', IOT_TRUST, [managedPolicyDocument(THINGS_REGISTRATION_POLICY)!, deny]);
    expect(result.provisioned).toBe(false);
    expect(result.reason).toMatch(new RegExp(`^User: ${roleArn('denies-attach-policy')} is not authorized to perform: iot:AttachPolicy `
      + 'on resource: arn:aws:iot:us-east-1:123456789012:policy/[0-9A-F]{40} with an explicit deny in an identity-based policy$'));
    expectNothingProvisioned(device.certificateId, thingName);
  });

  test('a correct narrow role provisions the device: thing, ACTIVE certificate, policy', async () => {
    const { result, device, thingName } = await jitpAs('narrow', IOT_TRUST, [narrowPolicy()]);
    expect(result).toEqual({ provisioned: true });
    const certificate = model.certificate(device.certificateId)!;
    expect(certificate.status).toBe('ACTIVE');
    expect(model.thingsOfPrincipal(certificate.certificateArn)).toEqual([thingName]);
    expect(model.policyDocumentsOfPrincipal(certificate.certificateArn).map((policy) => policy.document)).toEqual([DEVICE_POLICY]);
  });

  test('the AWS managed policy service-role/AWSIoTThingsRegistration is enough', async () => {
    const { result, device } = await jitpAs('managed', IOT_TRUST, [managedPolicyDocument(THINGS_REGISTRATION_POLICY)!]);
    expect(result).toEqual({ provisioned: true });
    expect(model.certificate(device.certificateId)!.status).toBe('ACTIVE');
  });
});

describe('RegisterThing as the template\'s provisioning role', () => {
  const FLEET = JSON.stringify({
    Parameters: { 'SerialNumber': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
    Resources: {
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::Join': ['', ['sensor-', { Ref: 'SerialNumber' }]] } } },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'fleet-device' } },
    },
  });

  async function registerThingAs(name: string, policies: PolicyDocument[], serial: string) {
    iam.addRole(roleArn(name), policies);
    iam.setTrustPolicy(roleArn(name), IOT_TRUST);
    await model.createProvisioningTemplate({ templateName: name, templateBody: FLEET, provisioningRoleArn: roleArn(name), enabled: true });
    const issued = await model.createCertificateFromCsrForFleet(await makeCsr(`CN=${name}`));
    const outcome = await model.registerThingWithOwnershipToken(name, issued.certificateOwnershipToken, { SerialNumber: serial }, 'claim', 'client')
      .then((accepted) => ({ accepted }), (error: IotServiceError) => ({ rejected: error.rejectedPayload }));
    return { outcome, certificateId: issued.certificateId };
  }

  beforeAll(async () => {
    await model.createPolicy({ policyName: 'fleet-device', policyDocument: DEVICE_POLICY });
  });

  test('a role scoped to other things is rejected with 403 AccessDenied and AWS\'s sentence; nothing is applied', async () => {
    const { outcome, certificateId } = await registerThingAs('fleet-other-things', [narrowPolicy('actuator-*')], 'f1');
    expect(outcome).toEqual({
      rejected: {
        statusCode: 403,
        errorCode: 'AccessDenied',
        errorMessage: `User: ${roleArn('fleet-other-things')} is not authorized to perform: iot:CreateThing on resource: ${ARN}:thing/sensor-f1 `
          + 'because no identity-based policy allows the iot:CreateThing action',
      },
    });
    expect(model.certificate(certificateId)!.status).toBe('PENDING_ACTIVATION');
    expect(model.thing('sensor-f1')).toBeUndefined();
  });

  test('a narrow role for its things provisions the device', async () => {
    const { outcome, certificateId } = await registerThingAs('fleet-narrow', [narrowPolicy()], 'f2');
    expect(outcome).toEqual({ accepted: { thingName: 'sensor-f2', deviceConfiguration: {} } });
    expect(model.certificate(certificateId)!.status).toBe('ACTIVE');
  });
});
