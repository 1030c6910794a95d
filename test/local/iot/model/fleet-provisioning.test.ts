import { DEVICE_POLICY, FLEET_TEMPLATE, makeCsr, ROLE_ARN } from './fixtures';
import { IotModel, IotServiceError, type PreProvisioningHookPayload } from '../../../../local/iot';

const HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:hook';
let clock = Date.now();

async function newModel(hook?: string): Promise<IotModel> {
  const model = new IotModel({ rateLimits: false, now: () => clock, preProvisioningHookTimeoutMs: 200 });
  await model.createPolicy({ policyName: 'fleet-device', policyDocument: DEVICE_POLICY });
  await model.createProvisioningTemplate({
    templateName: 'fleet',
    templateBody: FLEET_TEMPLATE,
    provisioningRoleArn: ROLE_ARN,
    enabled: true,
    preProvisioningHook: hook ? { targetArn: hook } : undefined,
  });
  return model;
}

/** What the MQTT gateway does for CreateCertificateFromCsr: an INACTIVE certificate and its ownership token. */
async function deviceCertificate(model: IotModel): Promise<{ certificateId: string; certificateArn: string; token: string }> {
  const out = await model.createCertificateFromCsrForFleet(await makeCsr('CN=fleet-device'));
  const { certificateArn } = model.certificate(out.certificateId)!;
  return { certificateId: out.certificateId, certificateArn, token: out.certificateOwnershipToken };
}

async function rejection(promise: Promise<unknown>): Promise<IotServiceError['rejectedPayload']> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(IotServiceError);
  return (error as IotServiceError).rejectedPayload;
}

beforeEach(() => {
  clock = Date.now();
});

describe('registerThingWithOwnershipToken', () => {
  test('applies the template for the token\'s certificate and returns thingName and deviceConfiguration', async () => {
    const model = await newModel();
    const device = await deviceCertificate(model);
    expect(model.certificate(device.certificateId)!.status).toBe('PENDING_ACTIVATION');
    const out = await model.registerThingWithOwnershipToken('fleet', device.token, { SerialNumber: '42' }, 'claim-id', 'client-1');
    expect(out).toEqual({ thingName: 'device-42', deviceConfiguration: { Fallback: 'none', Serial: '42' } });
    expect(model.certificate(device.certificateId)!.status).toBe('ACTIVE');
    expect(model.thingsOfPrincipal(device.certificateArn)).toEqual(['device-42']);
    expect(model.policyDocumentsOfPrincipal(device.certificateArn).map(p => p.policyName)).toEqual(['fleet-device']);
    // The token is used up.
    expect(await rejection(model.registerThingWithOwnershipToken('fleet', device.token, { SerialNumber: '42' }, 'claim-id', 'client-1')))
      .toMatchObject({ statusCode: 400, errorCode: 'InvalidCertificateOwnershipToken' });
  });

  test('empty, unknown and expired tokens: 400 InvalidCertificateOwnershipToken', async () => {
    const model = await newModel();
    expect(await rejection(model.registerThingWithOwnershipToken('fleet', '', {}, 'c', 'x')))
      .toEqual({ statusCode: 400, errorCode: 'InvalidCertificateOwnershipToken', errorMessage: 'Certificate ownership token cannot be empty.' });
    expect((await rejection(model.registerThingWithOwnershipToken('fleet', 'forged', {}, 'c', 'x'))).errorCode).toBe('InvalidCertificateOwnershipToken');
    const device = await deviceCertificate(model);
    clock += 60 * 60 * 1000 + 1;
    expect((await rejection(model.registerThingWithOwnershipToken('fleet', device.token, { SerialNumber: '1' }, 'c', 'x'))).errorCode)
      .toBe('InvalidCertificateOwnershipToken');
  });

  test('unknown template: 404; a missing parameter: 400 InvalidParameters, and the certificate stays INACTIVE', async () => {
    const model = await newModel();
    const device = await deviceCertificate(model);
    expect(await rejection(model.registerThingWithOwnershipToken('nope', device.token, {}, 'c', 'x'))).toMatchObject({ statusCode: 404 });
    expect(await rejection(model.registerThingWithOwnershipToken('fleet', device.token, {}, 'c', 'x')))
      .toMatchObject({ statusCode: 400, errorCode: 'InvalidParameters' });
    expect(model.certificate(device.certificateId)!.status).toBe('PENDING_ACTIVATION');
  });

  test('the pre-provisioning hook gets AWS\'s payload, and its parameterOverrides win', async () => {
    const model = await newModel(HOOK);
    const calls: [string, PreProvisioningHookPayload][] = [];
    model.setPreProvisioningHookInvoker(async (target, payload) => {
      calls.push([target, payload]);
      return { allowProvisioning: true, parameterOverrides: { SerialNumber: 'override' } };
    });
    const device = await deviceCertificate(model);
    const out = await model.registerThingWithOwnershipToken('fleet', device.token, { SerialNumber: '7' }, 'claim-1', 'client-7');
    expect(out.thingName).toBe('device-override');
    expect(calls).toEqual([[HOOK, {
      claimCertificateId: 'claim-1',
      certificateId: device.certificateId,
      certificatePem: model.certificate(device.certificateId)!.certificatePem,
      templateArn: 'arn:aws:iot:us-east-1:123456789012:provisioningtemplate/fleet',
      clientId: 'client-7',
      parameters: { SerialNumber: '7' },
    }]]);
  });

  test.each([
    ['says no', async () => ({ allowProvisioning: false })],
    ['answers without allowProvisioning', async () => ({})],
    ['throws', async () => { throw new Error('boom'); }],
    ['does not answer in time', () => new Promise(() => undefined)],
  ])('a hook that %s rejects with 403 AccessDenied and provisions nothing', async (_name, hook) => {
    const model = await newModel(HOOK);
    model.setPreProvisioningHookInvoker(hook);
    const device = await deviceCertificate(model);
    expect(await rejection(model.registerThingWithOwnershipToken('fleet', device.token, { SerialNumber: '9' }, 'c', 'x')))
      .toMatchObject({ statusCode: 403, errorCode: 'AccessDenied' });
    expect(model.thing('device-9')).toBeUndefined();
    expect(model.certificate(device.certificateId)!.status).toBe('PENDING_ACTIVATION');
  });

  test('a template with a hook and no invoker plugged in rejects', async () => {
    const model = await newModel(HOOK);
    const device = await deviceCertificate(model);
    expect((await rejection(model.registerThingWithOwnershipToken('fleet', device.token, { SerialNumber: '1' }, 'c', 'x'))).errorCode).toBe('AccessDenied');
  });

  test('issueOwnershipToken needs a registered certificate', async () => {
    const model = await newModel();
    expect(() => model.issueOwnershipToken('f'.repeat(64))).toThrow(IotServiceError);
  });
});

describe('fleet certificate creation', () => {
  test('createKeysAndCertificateForFleet: a key, a PENDING_ACTIVATION certificate and a token that provisions it', async () => {
    const model = await newModel();
    const out = await model.createKeysAndCertificateForFleet();
    expect(out.privateKey).toContain('PRIVATE KEY');
    expect(model.certificate(out.certificateId)).toMatchObject({ status: 'PENDING_ACTIVATION', certificatePem: out.certificatePem });
    expect(out.certificateOwnershipToken.length).toBeGreaterThan(40);
    await model.registerThingWithOwnershipToken('fleet', out.certificateOwnershipToken, { SerialNumber: 'k1' }, 'claim', 'client');
    expect(model.certificate(out.certificateId)!.status).toBe('ACTIVE');
  });

  test('createCertificateFromCsrForFleet refuses a bad CSR with a 400 /rejected payload', async () => {
    const model = await newModel();
    const error = await model.createCertificateFromCsrForFleet('garbage').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IotServiceError);
    expect((error as IotServiceError).rejectedPayload).toMatchObject({ statusCode: 400, errorCode: 'InvalidRequest' });
  });
});

describe('provisioning claims', () => {
  test('a claim may use only its template\'s topics and turns INACTIVE after five minutes', async () => {
    const model = await newModel();
    const claim = await model.createProvisioningClaim({ templateName: 'fleet' });
    const arn = `arn:aws:iot:us-east-1:123456789012:cert/${claim.certificateId}`;
    const [implicit] = model.policyDocumentsOfPrincipal(arn);
    expect(implicit.policyName).toBe('provisioning-claim/fleet');
    const statements = JSON.parse(implicit.document).Statement;
    expect(JSON.stringify(statements)).toContain('topic/$aws/provisioning-templates/fleet/provision/*');
    expect(JSON.stringify(statements)).toContain('topicfilter/$aws/certificates/create/*');
    expect(model.certificate(claim.certificateId!)!.status).toBe('ACTIVE');

    clock += 5 * 60 * 1000;
    expect(model.certificate(claim.certificateId!)!.status).toBe('INACTIVE');
    expect((await model.describeCertificate({ certificateId: claim.certificateId })).certificateDescription!.status).toBe('INACTIVE');
  });

  test('a claim of one template cannot provision with another', async () => {
    const model = await newModel();
    await model.createProvisioningTemplate({ templateName: 'other', templateBody: FLEET_TEMPLATE, provisioningRoleArn: ROLE_ARN, enabled: true });
    const claim = await model.createProvisioningClaim({ templateName: 'fleet' });
    const device = await deviceCertificate(model);
    expect(await rejection(model.registerThingWithOwnershipToken('other', device.token, { SerialNumber: '1' }, claim.certificateId!, 'x')))
      .toMatchObject({ statusCode: 403, errorCode: 'AccessDenied' });
  });
});
