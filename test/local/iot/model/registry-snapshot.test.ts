/**
 * The registry snapshot the local cloud keeps in its state directory: everything the registry holds comes
 * back in a new model (through JSON, as the file does), with the account's registration code and event
 * configurations; a snapshot of another account or Region, or not a snapshot at all, is refused.
 */
import { DEVICE_POLICY, makeCa, makeDevice, verificationFor } from './fixtures';
import { IotModel, SNAPSHOT_FORMAT, type RegistrySnapshot } from '../../../../local/iot';

/** What a file round trip does to it. */
function throughJson(snapshot: RegistrySnapshot): RegistrySnapshot {
  return JSON.parse(JSON.stringify(snapshot)) as RegistrySnapshot;
}

async function populatedModel() {
  const model = new IotModel({ rateLimits: false });
  const ca = await makeCa('Snapshot CA');
  const { registrationCode } = await model.getRegistrationCode();
  const { certificateId: caCertificateId } = await model.registerCACertificate({
    caCertificate: ca.certificatePem,
    verificationCertificate: await verificationFor(ca, registrationCode!),
    setAsActive: true,
    allowAutoRegistration: true,
    tags: [{ Key: 'owner', Value: 'bench' }],
  });
  const device = await makeDevice(ca, { commonName: 'snapshot-device' });
  const { certificateArn } = await model.registerCertificate({ certificatePem: device.certificatePem, caCertificatePem: ca.certificatePem, status: 'ACTIVE' });
  const pending = model.registerPendingCertificate((await makeDevice(ca, { commonName: 'pending-device' })).certificatePem, caCertificateId!);
  await model.createPolicy({ policyName: 'DevicePolicy', policyDocument: DEVICE_POLICY });
  await model.attachPolicy({ policyName: 'DevicePolicy', target: certificateArn });
  await model.createThing({ thingName: 'snapshot-device', attributePayload: { attributes: { line: 'A' } } });
  await model.attachThingPrincipal({ thingName: 'snapshot-device', principal: certificateArn, thingPrincipalType: 'EXCLUSIVE_THING' });
  await model.createThingGroup({ thingGroupName: 'Fleet' });
  await model.addThingToThingGroup({ thingGroupName: 'Fleet', thingName: 'snapshot-device' });
  await model.updateEventConfigurations({ eventConfigurations: { THING: { Enabled: true } } });
  return {
    model,
    caCertificateId: caCertificateId!,
    certificateId: device.certificateId,
    certificateArn: certificateArn!,
    pending,
    registrationCode: registrationCode!,
  };
}

describe('registry snapshots', () => {
  test('a model restored from a snapshot answers as the original did', async () => {
    const original = await populatedModel();
    const restored = new IotModel({ rateLimits: false, restoreFrom: throughJson(original.model.snapshot()) });

    expect(await restored.getRegistrationCode()).toEqual({ registrationCode: original.registrationCode });
    expect(await restored.describeCACertificate({ certificateId: original.caCertificateId })).toEqual(
      await original.model.describeCACertificate({ certificateId: original.caCertificateId }));
    const ca = await restored.describeCACertificate({ certificateId: original.caCertificateId });
    expect(ca.certificateDescription?.creationDate).toBeInstanceOf(Date);
    expect(await restored.listTagsForResource({ resourceArn: ca.certificateDescription!.certificateArn! })).toEqual({ tags: [{ Key: 'owner', Value: 'bench' }] });
    expect(await restored.describeCertificate({ certificateId: original.certificateId })).toEqual(
      await original.model.describeCertificate({ certificateId: original.certificateId }));
    expect(restored.certificate(original.pending.certificateId)?.status).toBe('PENDING_ACTIVATION');
    expect(await restored.describeThing({ thingName: 'snapshot-device' })).toEqual(await original.model.describeThing({ thingName: 'snapshot-device' }));
    expect(restored.thingsOfPrincipal(original.certificateArn)).toEqual(['snapshot-device']);
    expect(restored.policyDocumentsOfPrincipal(original.certificateArn)).toEqual(original.model.policyDocumentsOfPrincipal(original.certificateArn));
    expect(await restored.listPrincipalThings({ principal: original.certificateArn })).toEqual({ things: ['snapshot-device'] });
    expect((await restored.describeEventConfigurations()).eventConfigurations?.THING).toEqual({ Enabled: true });
    // The exclusive attachment is kept as exclusive: another thing cannot take the certificate.
    await restored.createThing({ thingName: 'intruder' });
    await expect(restored.attachThingPrincipal({ thingName: 'intruder', principal: original.certificateArn })).rejects.toThrow(/exclusively attached/);
  });

  test('a snapshot is a copy: later changes to either model do not reach the other', async () => {
    const { model } = await populatedModel();
    const snapshot = model.snapshot();
    const restored = new IotModel({ rateLimits: false, restoreFrom: throughJson(snapshot) });
    await model.createThing({ thingName: 'only-in-original' });
    await restored.createThing({ thingName: 'only-in-restored' });

    expect(new IotModel({ rateLimits: false, restoreFrom: throughJson(snapshot) }).thing('only-in-original')).toBeUndefined();
    expect(model.thing('only-in-restored')).toBeUndefined();
  });

  test('snapshots of another account or Region, of another format or without a registration code are refused', async () => {
    const snapshot = throughJson(new IotModel({ rateLimits: false }).snapshot());

    expect(() => new IotModel({ accountId: '210987654321', restoreFrom: snapshot })).toThrow(/of account 123456789012 in us-east-1, not 210987654321 in us-east-1/);
    expect(() => new IotModel({ region: 'eu-west-1', restoreFrom: snapshot })).toThrow(/not 123456789012 in eu-west-1/);
    expect(() => new IotModel({ restoreFrom: { ...snapshot, format: 'other' as typeof SNAPSHOT_FORMAT } })).toThrow(/not a registry snapshot/);
    expect(() => new IotModel({ restoreFrom: { ...snapshot, registrationCode: 'x' } })).toThrow(/no valid registration code/);
    expect(() => new IotModel({ restoreFrom: { ...snapshot, state: { cas: [] } } })).toThrow(/lacks certificates|is not a map/);
  });
});

describe('control-plane counters', () => {
  test('calls let through and refused are counted per operation; rateLimitOf answers the TPS in force', async () => {
    let now = 0;
    const model = new IotModel({ rateLimits: { DescribeEndpoint: 2 }, now: () => now });
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => model.describeEndpoint({ endpointType: 'iot:Data-ATS' })));
    now = 1000;
    await model.describeEndpoint({ endpointType: 'iot:Data-ATS' });

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(model.admittedCalls()).toEqual({ DescribeEndpoint: 3 });
    expect(model.throttledCalls()).toEqual({ DescribeEndpoint: 1 });
    expect(model.rateLimitOf('DescribeEndpoint')).toBe(2);
    expect(model.rateLimitOf('DescribeCertificate')).toBe(10);
    expect(new IotModel({ rateLimits: false }).rateLimitOf('DescribeCertificate')).toBeUndefined();
  });
});
