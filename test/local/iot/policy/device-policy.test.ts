import { client, connection, synthesizedDevicePolicy, topic, topicFilter, unattachedConnection } from './support';
import { authorize, validatePolicyDocument } from '../../../../local/iot/policy';

describe('the default device policy of DevicePolicy, as synthesized', () => {
  const document = synthesizedDevicePolicy();
  const device = connection({ clientId: 'sensor-1', thingName: 'sensor-1' });

  test('is a document CreatePolicy accepts, with policy variables left for AWS IoT to resolve', () => {
    expect(() => validatePolicyDocument(document)).not.toThrow();
    expect(document).toContain('"Version":"2012-10-17"');
    expect(document).toContain('client/${iot:Connection.Thing.ThingName}');
  });

  test('a device connects with its thing name as client id while its certificate is attached to that thing', () => {
    const decision = authorize([document], 'iot:Connect', client('sensor-1'), device);
    expect(decision).toEqual({ allowed: true, reason: expect.stringContaining('allowed by policy #1 statement #1') });
  });

  test('it cannot connect under another client id: the thing variables do not resolve, and the ARN would differ anyway', () => {
    // AWS IoT takes the thing name from the client id; "sensor-2" names no thing this certificate is attached to.
    const decision = authorize([document], 'iot:Connect', client('sensor-2'), unattachedConnection('sensor-2'));
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toBe(`no statement allows iot:Connect on ${client('sensor-2')}`);
  });

  test('it cannot connect when the thing exists but the certificate is not attached (IsAttached false)', () => {
    const decision = authorize([document], 'iot:Connect', client('sensor-1'),
      connection({ isAttached: false }));
    expect(decision.allowed).toBe(false);
  });

  test('the IsAttached condition alone blocks a connection whose thing variable would otherwise match', () => {
    // A hand-built context that resolves the thing name yet reports not attached:
    // the Bool condition on iot:Connection.Thing.IsAttached must decide on its own.
    const onlyTheCondition = document.replace('client/${iot:Connection.Thing.ThingName}', 'client/sensor-1');
    expect(authorize([onlyTheCondition], 'iot:Connect', client('sensor-1'), connection()).allowed).toBe(true);
    expect(authorize([onlyTheCondition], 'iot:Connect', client('sensor-1'), connection({ isAttached: false })).allowed).toBe(false);
  });

  test.each([
    ['things/sensor-1/telemetry'],
    ['things/sensor-1/a/b/c'],
    ['$aws/things/sensor-1/shadow/update'],
    ['$aws/things/sensor-1/jobs/notify-next'],
  ])('it publishes and receives on its own topic %s', (name) => {
    expect(authorize([document], 'iot:Publish', topic(name), device).allowed).toBe(true);
    expect(authorize([document], 'iot:Receive', topic(name), device).allowed).toBe(true);
  });

  test.each([
    ['things/sensor-2/telemetry'],
    ['things/sensor-10/telemetry'],
    ['$aws/things/sensor-2/shadow/update'],
    ['things/sensor-1'],
    ['other/sensor-1/telemetry'],
  ])('it neither publishes nor receives on %s', (name) => {
    expect(authorize([document], 'iot:Publish', topic(name), device).allowed).toBe(false);
    expect(authorize([document], 'iot:Receive', topic(name), device).allowed).toBe(false);
  });

  test('it subscribes to its own filters, MQTT wildcards included, through topicfilter/ ARNs', () => {
    expect(authorize([document], 'iot:Subscribe', topicFilter('things/sensor-1/commands'), device).allowed).toBe(true);
    expect(authorize([document], 'iot:Subscribe', topicFilter('things/sensor-1/#'), device).allowed).toBe(true);
    expect(authorize([document], 'iot:Subscribe', topicFilter('$aws/things/sensor-1/shadow/+/accepted'), device).allowed).toBe(true);
  });

  test('it cannot subscribe to another thing\'s topics or to everything', () => {
    expect(authorize([document], 'iot:Subscribe', topicFilter('things/sensor-2/commands'), device).allowed).toBe(false);
    expect(authorize([document], 'iot:Subscribe', topicFilter('things/+/commands'), device).allowed).toBe(false);
    expect(authorize([document], 'iot:Subscribe', topicFilter('#'), device).allowed).toBe(false);
  });

  test('Subscribe is never authorized against a topic/ ARN, and Publish never against a topicfilter/ one', () => {
    expect(authorize([document], 'iot:Subscribe', topic('things/sensor-1/commands'), device).allowed).toBe(false);
    expect(authorize([document], 'iot:Publish', topicFilter('things/sensor-1/telemetry'), device).allowed).toBe(false);
  });

  test('it may not publish retained messages: the policy grants no iot:RetainPublish', () => {
    expect(authorize([document], 'iot:RetainPublish', topic('things/sensor-1/state'), device).allowed).toBe(false);
  });
});
