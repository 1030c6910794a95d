/**
 * Registry events of things in the model: the account's event configurations (all off by default), the
 * `$aws/events/thing/<name>/created|updated|deleted` messages with the developer guide's payload, whichever path
 * changed the thing (operations, JITP, provisioning plans), and nothing for a change that did not happen.
 */
import { JITP_TEMPLATE, makeCa, makeDevice, ROLE_ARN, verificationFor } from './fixtures';
import { EVENT_TYPES, IotModel, IotServiceError, type IotEventMessage } from '../../../../local/iot';
import type { ProvisioningPlan } from '../../../../local/iot/templates';

/** The fake clock starts now: the certificates the PKI issues are valid from now on. */
const NOW = Date.now();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function modelWithEvents(): { model: IotModel; published: IotEventMessage[]; tick: (ms: number) => void } {
  let now = NOW;
  const model = new IotModel({ rateLimits: false, now: () => now });
  const published: IotEventMessage[] = [];
  model.setEventPublisher(message => {
    published.push(message);
  });
  return { model, published, tick: ms => { now += ms; } };
}

async function enableThingEvents(model: IotModel): Promise<void> {
  await model.updateEventConfigurations({ eventConfigurations: { THING: { Enabled: true } } });
}

function plan(overrides: Partial<ProvisioningPlan>): ProvisioningPlan {
  return { policies: [], deviceConfiguration: {}, ...overrides };
}

describe('event configurations', () => {
  test('every event type is disabled until enabled; creationDate and lastModifiedDate are the account\'s', async () => {
    const { model, tick } = modelWithEvents();
    const initial = await model.describeEventConfigurations();
    expect(initial.eventConfigurations).toEqual(Object.fromEntries(EVENT_TYPES.map(type => [type, { Enabled: false }])));
    expect(initial.creationDate).toEqual(new Date(NOW));
    expect(initial.lastModifiedDate).toEqual(new Date(NOW));
    tick(5000);
    await model.updateEventConfigurations({ eventConfigurations: { THING: { Enabled: true }, JOB: { Enabled: true } } });
    await model.updateEventConfigurations({ eventConfigurations: { JOB: { Enabled: false } } });
    const after = await model.describeEventConfigurations();
    expect(after.eventConfigurations).toMatchObject({ THING: { Enabled: true }, JOB: { Enabled: false }, THING_GROUP: { Enabled: false } });
    expect(after.creationDate).toEqual(new Date(NOW));
    expect(after.lastModifiedDate).toEqual(new Date(NOW + 5000));
  });

  test('an unknown event type or a non-boolean Enabled refuses the whole request, changing nothing', async () => {
    const { model } = modelWithEvents();
    const refused = model.updateEventConfigurations({ eventConfigurations: { THING: { Enabled: true }, SHADOW: { Enabled: true } } as never });
    await expect(refused).rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringContaining('SHADOW') });
    await expect(model.updateEventConfigurations({ eventConfigurations: { THING: { Enabled: 'yes' } } as never }))
      .rejects.toBeInstanceOf(IotServiceError);
    expect((await model.describeEventConfigurations()).eventConfigurations?.THING).toEqual({ Enabled: false });
  });

  test('a configuration without Enabled disables its type; an empty request changes nothing', async () => {
    const { model } = modelWithEvents();
    await enableThingEvents(model);
    await model.updateEventConfigurations({});
    expect((await model.describeEventConfigurations()).eventConfigurations?.THING).toEqual({ Enabled: true });
    await model.updateEventConfigurations({ eventConfigurations: { THING: {} } });
    expect((await model.describeEventConfigurations()).eventConfigurations?.THING).toEqual({ Enabled: false });
  });
});

describe('thing events', () => {
  test('off by default: creating, updating and deleting a thing publishes nothing', async () => {
    const { model, published } = modelWithEvents();
    await model.createThing({ thingName: 'quiet' });
    await model.updateThing({ thingName: 'quiet', attributePayload: { attributes: { a: '1' } } });
    await model.deleteThing({ thingName: 'quiet' });
    await model.updateEventConfigurations({ eventConfigurations: { THING_TYPE: { Enabled: true }, CERTIFICATE: { Enabled: true } } });
    await model.createThing({ thingName: 'still-quiet' });
    expect(published).toEqual([]);
  });

  test('CreateThing, UpdateThing and DeleteThing announce the documented payloads', async () => {
    const { model, published, tick } = modelWithEvents();
    await enableThingEvents(model);
    await model.createThingType({ thingTypeName: 'sensor' });
    const created = await model.createThing({ thingName: 'sensor-1', attributePayload: { attributes: { site: 'berlin' } } });
    tick(1);
    await model.updateThing({ thingName: 'sensor-1', thingTypeName: 'sensor', attributePayload: { attributes: { floor: '2' }, merge: true } });
    tick(1);
    await model.deleteThing({ thingName: 'sensor-1' });
    expect(published.map(message => message.topic)).toEqual([
      '$aws/events/thing/sensor-1/created',
      '$aws/events/thing/sensor-1/updated',
      '$aws/events/thing/sensor-1/deleted',
    ]);
    const common = { eventType: 'THING_EVENT', accountId: '123456789012', thingId: created.thingId, thingName: 'sensor-1' };
    expect(published[0].payload).toEqual({
      ...common, eventId: expect.stringMatching(UUID), timestamp: NOW, operation: 'CREATED', versionNumber: 1, thingTypeName: null, attributes: { site: 'berlin' },
    });
    expect(published[1].payload).toEqual({
      ...common,
      eventId: expect.stringMatching(UUID),
      timestamp: NOW + 1,
      operation: 'UPDATED',
      versionNumber: 2,
      thingTypeName: 'sensor',
      attributes: { site: 'berlin', floor: '2' },
    });
    expect(published[2].payload).toEqual({
      ...common,
      eventId: expect.stringMatching(UUID),
      timestamp: NOW + 2,
      operation: 'DELETED',
      versionNumber: 2,
      thingTypeName: 'sensor',
      attributes: { site: 'berlin', floor: '2' },
    });
    expect(new Set(published.map(message => message.payload.eventId)).size).toBe(3);
  });

  test('a change that does not happen is not announced: idempotent CreateThing, refused calls, deleting a missing thing', async () => {
    const { model, published } = modelWithEvents();
    await enableThingEvents(model);
    await model.createThing({ thingName: 'twin' });
    published.length = 0;
    await model.createThing({ thingName: 'twin' });
    await expect(model.updateThing({ thingName: 'twin', expectedVersion: 7 })).rejects.toMatchObject({ name: 'VersionConflictException' });
    await expect(model.updateThing({ thingName: 'ghost' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await model.deleteThing({ thingName: 'ghost' });
    expect(published).toEqual([]);
  });

  test('a publisher that fails never fails the operation', async () => {
    const model = new IotModel({ rateLimits: false });
    await enableThingEvents(model);
    model.setEventPublisher(() => {
      throw new Error('broker down');
    });
    await expect(model.createThing({ thingName: 'a' })).resolves.toMatchObject({ thingName: 'a' });
    model.setEventPublisher(() => Promise.reject(new Error('broker down')));
    await expect(model.deleteThing({ thingName: 'a' })).resolves.toEqual({});
  });
});

describe('UpdateThing', () => {
  test('replaces the attributes unless merge is true; an empty value removes an attribute; each call is a new version', async () => {
    const { model } = modelWithEvents();
    await model.createThing({ thingName: 't', attributePayload: { attributes: { a: '1', b: '2' } } });
    await model.updateThing({ thingName: 't', attributePayload: { attributes: { c: '3' } } });
    expect(model.thing('t')).toMatchObject({ attributes: { c: '3' }, version: 2 });
    await model.updateThing({ thingName: 't', attributePayload: { attributes: { d: '4', c: '' }, merge: true } });
    expect(model.thing('t')).toMatchObject({ attributes: { d: '4' }, version: 3 });
    await model.updateThing({ thingName: 't', expectedVersion: 3 });
    expect(model.thing('t')).toMatchObject({ attributes: { d: '4' }, version: 4 });
  });

  test('sets or removes the thing type; the attribute limit is the resulting thing\'s', async () => {
    const { model } = modelWithEvents();
    await model.createThingType({ thingTypeName: 'big' });
    await model.createThing({ thingName: 't' });
    const five = { attributes: { a: '1', b: '2', c: '3', d: '4', e: '5' } };
    await expect(model.updateThing({ thingName: 't', attributePayload: five })).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await model.updateThing({ thingName: 't', thingTypeName: 'big', attributePayload: five });
    expect(model.thing('t')).toMatchObject({ thingTypeName: 'big', version: 2 });
    await expect(model.updateThing({ thingName: 't', removeThingType: true })).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await expect(model.updateThing({ thingName: 't', removeThingType: true, thingTypeName: 'big' })).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await expect(model.updateThing({ thingName: 't', thingTypeName: 'missing' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await model.updateThing({ thingName: 't', removeThingType: true, attributePayload: { attributes: { a: '1' } } });
    expect(model.thing('t')).toMatchObject({ thingTypeName: undefined, attributes: { a: '1' }, version: 3 });
  });
});

describe('things made by provisioning templates', () => {
  test('JITP announces the thing its template created', async () => {
    const { model, published } = modelWithEvents();
    await enableThingEvents(model);
    const ca = await makeCa('Events CA');
    const { registrationCode } = await model.getRegistrationCode();
    await model.registerCACertificate({
      caCertificate: ca.certificatePem,
      verificationCertificate: await verificationFor(ca, registrationCode!),
      setAsActive: true,
      allowAutoRegistration: true,
      registrationConfig: { templateBody: JITP_TEMPLATE, roleArn: ROLE_ARN },
    });
    const device = await makeDevice(ca, { commonName: 'jitp-device-1' });
    await expect(model.provisionJustInTime(device.certificatePem, ca.certificateId)).resolves.toEqual({ provisioned: true });
    expect(published).toEqual([{
      topic: '$aws/events/thing/jitp-device-1/created',
      payload: expect.objectContaining({ operation: 'CREATED', thingName: 'jitp-device-1', versionNumber: 1, attributes: { provisionedBy: 'jitp' } }),
    }]);
  });

  test('a template that overrides an existing thing announces UPDATED; one that fails announces nothing', async () => {
    const { model, published } = modelWithEvents();
    await enableThingEvents(model);
    await model.createThing({ thingName: 'kept', attributePayload: { attributes: { a: '1' } } });
    published.length = 0;
    await model.applyProvisioningPlan(plan({
      thing: { logicalId: 'thing', thingName: 'kept', thingGroups: [], attributes: { b: '2' }, overrideSettings: { AttributePayload: 'MERGE' } },
    }));
    expect(published).toEqual([{
      topic: '$aws/events/thing/kept/updated',
      payload: expect.objectContaining({ operation: 'UPDATED', versionNumber: 2, attributes: { a: '1', b: '2' } }),
    }]);
    published.length = 0;
    // The thing is made, then its missing group fails the plan: the thing is undone, and never announced.
    await expect(model.applyProvisioningPlan(plan({
      thing: { logicalId: 'thing', thingName: 'half-made', thingGroups: ['no-such-group'], attributes: {}, overrideSettings: {} },
    }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(model.thing('half-made')).toBeUndefined();
    expect(published).toEqual([]);
  });

  test('RegisterThing announces the thing of its template', async () => {
    const { model, published } = modelWithEvents();
    await enableThingEvents(model);
    const templateBody = JSON.stringify({
      Parameters: { ThingName: { Type: 'String' } },
      Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' }, AttributePayload: { via: 'register' } } } },
    });
    await model.registerThing({ templateBody, parameters: { ThingName: 'registered-1' } });
    expect(published.map(message => [message.topic, message.payload.operation])).toEqual([['$aws/events/thing/registered-1/created', 'CREATED']]);
  });
});
