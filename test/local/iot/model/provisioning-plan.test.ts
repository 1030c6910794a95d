import { DEVICE_POLICY, makeCsr } from './fixtures';
import { IotModel, IotServiceError } from '../../../../local/iot';
import type { ProvisioningPlan } from '../../../../local/iot/templates';

/** Plans written out by hand, as the template engine would produce them. */
function plan(overrides: Partial<ProvisioningPlan> = {}): ProvisioningPlan {
  return { policies: [], deviceConfiguration: {}, ...overrides };
}

async function modelWithCertificate(): Promise<{ model: IotModel; certificateId: string; certificateArn: string }> {
  const model = new IotModel({ rateLimits: false });
  const out = await model.createKeysAndCertificate({});
  return { model, certificateId: out.certificateId!, certificateArn: out.certificateArn! };
}

describe('applyProvisioningPlan', () => {
  test('creates thing, groups, policies and attachments, and activates the certificate (Status defaults to ACTIVE)', async () => {
    const { model, certificateId, certificateArn } = await modelWithCertificate();
    await model.createThingType({ thingTypeName: 'sensor' });
    await model.createThingGroup({ thingGroupName: 'fleet' });
    await model.createPolicy({ policyName: 'named', policyDocument: DEVICE_POLICY });
    const outcome = await model.applyProvisioningPlan(plan({
      thing: { logicalId: 'thing', thingName: 'planned', thingTypeName: 'sensor', thingGroups: ['fleet'], attributes: { a: '1' }, overrideSettings: {} },
      certificate: { logicalId: 'certificate', certificateId, overrideSettings: {} },
      policies: [{ logicalId: 'p1', policyName: 'named' }, { logicalId: 'p2', policyDocument: DEVICE_POLICY }],
      deviceConfiguration: { key: 'value' },
    }), { certificateId });
    expect(outcome).toMatchObject({ thingName: 'planned', certificateId, deviceConfiguration: { key: 'value' } });
    expect(Object.keys(outcome.resourceArns).sort()).toEqual(['certificate', 'p1', 'p2', 'thing']);
    expect(model.certificate(certificateId)!.status).toBe('ACTIVE');
    expect(model.thing('planned')).toMatchObject({ thingTypeName: 'sensor', attributes: { a: '1' } });
    expect(model.thingsOfPrincipal(certificateArn)).toEqual(['planned']);
    expect(model.policyDocumentsOfPrincipal(certificateArn)).toHaveLength(2);
    expect(outcome.policies[1].policyName).toMatch(/^[0-9A-F]{40}$/);
  });

  test('the same inline document maps to the same generated policy', async () => {
    const { model, certificateId } = await modelWithCertificate();
    const first = await model.applyProvisioningPlan(plan({ policies: [{ logicalId: 'p', policyDocument: DEVICE_POLICY }] }));
    const second = await model.applyProvisioningPlan(plan({
      certificate: { logicalId: 'c', certificateId, overrideSettings: {} }, policies: [{ logicalId: 'p', policyDocument: DEVICE_POLICY }],
    }), { certificateId });
    expect(second.policies[0].policyName).toBe(first.policies[0].policyName);
  });

  describe('an existing thing', () => {
    async function withThing() {
      const setup = await modelWithCertificate();
      await setup.model.createThingType({ thingTypeName: 'old-type' });
      await setup.model.createThingType({ thingTypeName: 'new-type' });
      await setup.model.createThing({ thingName: 'existing', thingTypeName: 'old-type', attributePayload: { attributes: { a: '1', b: '2' } } });
      return setup;
    }
    const thing = (overrideSettings: Record<string, string>) => ({
      logicalId: 'thing', thingName: 'existing', thingTypeName: 'new-type', thingGroups: [], attributes: { b: '3', c: '4' }, overrideSettings,
    });

    test('is left alone without OverrideSettings', async () => {
      const { model } = await withThing();
      await model.applyProvisioningPlan(plan({ thing: thing({}) }));
      expect(model.thing('existing')).toMatchObject({ thingTypeName: 'old-type', attributes: { a: '1', b: '2' }, version: 1 });
    });

    test('MERGE and REPLACE', async () => {
      const { model } = await withThing();
      await model.applyProvisioningPlan(plan({ thing: thing({ AttributePayload: 'MERGE', ThingTypeName: 'REPLACE' }) }));
      expect(model.thing('existing')).toMatchObject({ thingTypeName: 'new-type', attributes: { a: '1', b: '3', c: '4' }, version: 2 });
      await model.applyProvisioningPlan(plan({ thing: thing({ AttributePayload: 'REPLACE' }) }));
      expect(model.thing('existing')!.attributes).toEqual({ b: '3', c: '4' });
    });

    test('FAIL refuses a change and undoes the rest of the plan', async () => {
      const { model, certificateId } = await withThing();
      const promise = model.applyProvisioningPlan(plan({
        certificate: { logicalId: 'c', certificateId, status: 'ACTIVE', overrideSettings: {} },
        thing: thing({ AttributePayload: 'FAIL' }),
      }), { certificateId });
      await expect(promise).rejects.toBeInstanceOf(IotServiceError);
      expect(model.certificate(certificateId)!.status).toBe('INACTIVE');
      expect(model.thing('existing')!.attributes).toEqual({ a: '1', b: '2' });
    });
  });

  test('a missing policy, thing group or thing type fails the whole plan', async () => {
    const { model, certificateId, certificateArn } = await modelWithCertificate();
    const base = { certificate: { logicalId: 'c', certificateId, overrideSettings: {} } };
    await expect(model.applyProvisioningPlan(plan({ ...base, policies: [{ logicalId: 'p', policyDocument: DEVICE_POLICY }, { logicalId: 'q', policyName: 'missing' }] }), { certificateId }))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(model.applyProvisioningPlan(plan({
      ...base, thing: { logicalId: 't', thingName: 'grouped', thingGroups: ['missing'], attributes: {}, overrideSettings: {} },
    }), { certificateId })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(model.applyProvisioningPlan(plan({
      ...base, thing: { logicalId: 't', thingName: 'typed', thingTypeName: 'missing', thingGroups: [], attributes: {}, overrideSettings: {} },
    }), { certificateId })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(model.certificate(certificateId)!.status).toBe('INACTIVE');
    expect(model.policyDocumentsOfPrincipal(certificateArn)).toEqual([]);
    expect((await model.listThings({})).things).toEqual([]);
  });

  test('a REVOKED certificate cannot be activated by a template', async () => {
    const { model, certificateId } = await modelWithCertificate();
    await model.updateCertificate({ certificateId, newStatus: 'REVOKED' });
    await expect(model.applyProvisioningPlan(plan({ certificate: { logicalId: 'c', certificateId, overrideSettings: {} } }), { certificateId }))
      .rejects.toMatchObject({ name: 'CertificateStateException' });
  });

  test('only the certificate being provisioned may be named', async () => {
    const { model, certificateId } = await modelWithCertificate();
    await expect(model.applyProvisioningPlan(plan({ certificate: { logicalId: 'c', certificateId: 'a'.repeat(64), overrideSettings: {} } }), { certificateId }))
      .rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  test('a CertificateSigningRequest gets a certificate from the Amazon issuing CA', async () => {
    const model = new IotModel({ rateLimits: false });
    const outcome = await model.applyProvisioningPlan(plan({
      certificate: { logicalId: 'c', certificateSigningRequest: await makeCsr('CN=planned-csr'), overrideSettings: {} },
    }));
    expect(outcome.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(model.certificate(outcome.certificateId!)).toMatchObject({ status: 'ACTIVE' });
  });
});
