import { ARN_PREFIX, client, connection, policy, topic, topicFilter, unattachedConnection } from './support';
import { authorize, dataPlaneArn, IotDataAction, partitionOf, resourceKindOf } from '../../../../local/iot/policy';

const allowAll = policy({ Effect: 'Allow', Action: 'iot:*', Resource: '*' });

describe('data-plane ARNs', () => {
  test('name the resource kind each action is authorized against', () => {
    expect(resourceKindOf('iot:Connect')).toBe('client');
    expect(resourceKindOf('iot:Subscribe')).toBe('topicfilter');
    expect(resourceKindOf('iot:Publish')).toBe('topic');
    expect(resourceKindOf('iot:Receive')).toBe('topic');
    expect(resourceKindOf('iot:RetainPublish')).toBe('topic');
  });

  test('are arn:<partition>:iot:<region>:<account>:<kind>/<name>, the name as is', () => {
    expect(dataPlaneArn('topic', 'a/b', { region: 'eu-west-1', accountId: '123456789012' }))
      .toBe('arn:aws:iot:eu-west-1:123456789012:topic/a/b');
    expect(dataPlaneArn('topicfilter', '$aws/things/+/shadow/#', { region: 'us-east-1', accountId: '111122223333' }))
      .toBe('arn:aws:iot:us-east-1:111122223333:topicfilter/$aws/things/+/shadow/#');
    expect(dataPlaneArn('client', 'c1', { region: 'cn-north-1', accountId: '111122223333' }))
      .toBe('arn:aws-cn:iot:cn-north-1:111122223333:client/c1');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
  });
});

describe('evaluation: explicit deny, allow, implicit deny', () => {
  test('an Allow that covers action and resource allows, and the reason names the statement', () => {
    const decision = authorize([policy({ Sid: 'Telemetry', Effect: 'Allow', Action: 'iot:Publish', Resource: topic('t/1') })],
      'iot:Publish', topic('t/1'), connection());
    expect(decision).toEqual({ allowed: true, reason: `iot:Publish on ${topic('t/1')} allowed by policy #1 statement "Telemetry" (#1)` });
  });

  test('nothing attached, or nothing matching, is an implicit deny', () => {
    expect(authorize([], 'iot:Connect', client('sensor-1'), connection()))
      .toEqual({ allowed: false, reason: `no policy is attached, so iot:Connect on ${client('sensor-1')} is denied` });
    expect(authorize([policy({ Effect: 'Allow', Action: 'iot:Publish', Resource: topic('t/1') })], 'iot:Publish', topic('t/2'), connection()))
      .toEqual({ allowed: false, reason: `no statement allows iot:Publish on ${topic('t/2')}` });
  });

  test('an explicit Deny beats an Allow, in the same document or in another attached policy', () => {
    const deny = { Sid: 'NoBar', Effect: 'Deny', Action: 'iot:Publish', Resource: topic('t/bar') };
    const same = authorize([policy({ Effect: 'Allow', Action: 'iot:Publish', Resource: topic('t/*') }, deny)], 'iot:Publish', topic('t/bar'), connection());
    expect(same).toEqual({ allowed: false, reason: `explicit deny of iot:Publish on ${topic('t/bar')} in policy #1 statement "NoBar" (#2)` });
    const across = authorize([allowAll, { policyName: 'Quarantine', document: policy(deny) }], 'iot:Publish', topic('t/bar'), connection());
    expect(across.allowed).toBe(false);
    expect(across.reason).toContain('in policy "Quarantine" statement "NoBar"');
    // The Deny covers only t/bar.
    expect(authorize([allowAll, policy(deny)], 'iot:Publish', topic('t/baz'), connection()).allowed).toBe(true);
  });

  test('a Deny that does not cover the request leaves the Allow standing', () => {
    const documents = [allowAll, policy({ Effect: 'Deny', Action: 'iot:Subscribe', Resource: '*' })];
    expect(authorize(documents, 'iot:Publish', topic('x'), connection()).allowed).toBe(true);
    expect(authorize(documents, 'iot:Subscribe', topicFilter('x'), connection()).allowed).toBe(false);
  });

  test('a malformed attached document denies everything, naming it', () => {
    const decision = authorize([allowAll, { policyName: 'Broken', document: '{"Statement": [' }], 'iot:Connect', client('c'), connection());
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/^denied: policy "Broken" is malformed \(the policy document is not valid JSON/);
  });
});

describe('Action and NotAction', () => {
  test.each([
    ['iot:*', 'iot:Publish', true],
    ['*', 'iot:Receive', true],
    ['iot:Pub*', 'iot:Publish', true],
    ['iot:Pub*', 'iot:Subscribe', false],
    ['iot:*Publish', 'iot:RetainPublish', true],
    ['iot:Publis?', 'iot:Publish', true],
    ['iot:Publish?', 'iot:Publish', false],
    ['IOT:publish', 'iot:Publish', true],
    ['iot:Publish', 'iot:RetainPublish', false],
    ['iot:Connect', 'iot:Publish', false],
  ] as [string, IotDataAction, boolean][])('Action %s covers %s: %s', (pattern, action, expected) => {
    const document = policy({ Effect: 'Allow', Action: pattern, Resource: '*' });
    const resource = action === 'iot:Connect' ? client('c') : topic('t');
    expect(authorize([document], action, resource, connection()).allowed).toBe(expected);
  });

  test('Action may be a list', () => {
    const document = policy({ Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: '*' });
    expect(authorize([document], 'iot:Receive', topic('t'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Subscribe', topicFilter('t'), connection()).allowed).toBe(false);
  });

  test('NotAction with Allow grants every action but the listed ones', () => {
    const document = policy({ Effect: 'Allow', NotAction: ['iot:Subscribe', 'iot:Retain*'], Resource: '*' });
    expect(authorize([document], 'iot:Publish', topic('t'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Connect', client('c'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Subscribe', topicFilter('t'), connection()).allowed).toBe(false);
    expect(authorize([document], 'iot:RetainPublish', topic('t'), connection()).allowed).toBe(false);
  });

  test('NotAction with Deny denies every action but the listed ones', () => {
    const documents = [allowAll, policy({ Effect: 'Deny', NotAction: 'iot:Connect', Resource: '*' })];
    expect(authorize(documents, 'iot:Connect', client('c'), connection()).allowed).toBe(true);
    expect(authorize(documents, 'iot:Publish', topic('t'), connection()).allowed).toBe(false);
  });
});

describe('Resource and NotResource', () => {
  const allowPublish = (resource: string | string[]) => policy({ Effect: 'Allow', Action: 'iot:Publish', Resource: resource });

  test('"*" matches every resource; "*" inside a topic spans slashes', () => {
    expect(authorize([allowPublish('*')], 'iot:Publish', topic('a/b/c'), connection()).allowed).toBe(true);
    const document = allowPublish(`${ARN_PREFIX}:topic/sensors/*/temperature`);
    expect(authorize([document], 'iot:Publish', topic('sensors/hall/temperature'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('sensors/floor1/room2/temperature'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('sensors/hall/humidity'), connection()).allowed).toBe(false);
  });

  test('"?" matches exactly one character', () => {
    const document = allowPublish(`${ARN_PREFIX}:topic/room?/temp`);
    expect(authorize([document], 'iot:Publish', topic('room1/temp'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('room/temp'), connection()).allowed).toBe(false);
    expect(authorize([document], 'iot:Publish', topic('room12/temp'), connection()).allowed).toBe(false);
  });

  test('matching is case-sensitive and covers the whole ARN', () => {
    const document = allowPublish(topic('Room/temp'));
    expect(authorize([document], 'iot:Publish', topic('Room/temp'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('room/temp'), connection()).allowed).toBe(false);
    expect(authorize([document], 'iot:Publish', topic('Room/temp/more'), connection()).allowed).toBe(false);
    expect(authorize([document], 'iot:Publish', `arn:aws:iot:us-east-1:${'123456789012'}:topic/Room/temp`, connection()).allowed).toBe(false);
  });

  test('MQTT wildcards in a topicfilter/ resource are literal characters', () => {
    const document = policy({ Effect: 'Allow', Action: 'iot:Subscribe', Resource: topicFilter('some/+/topic') });
    expect(authorize([document], 'iot:Subscribe', topicFilter('some/+/topic'), connection()).allowed).toBe(true);
    // "+" does not stand for a level: a concrete filter it would match in MQTT is not covered.
    expect(authorize([document], 'iot:Subscribe', topicFilter('some/x/topic'), connection()).allowed).toBe(false);
    const hash = policy({ Effect: 'Allow', Action: 'iot:Subscribe', Resource: topicFilter('a/#') });
    expect(authorize([hash], 'iot:Subscribe', topicFilter('a/#'), connection()).allowed).toBe(true);
    expect(authorize([hash], 'iot:Subscribe', topicFilter('a/b'), connection()).allowed).toBe(false);
  });

  test('Resource may be a list; any entry may match', () => {
    const document = allowPublish([topic('a'), topic('b')]);
    expect(authorize([document], 'iot:Publish', topic('b'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('c'), connection()).allowed).toBe(false);
  });

  test('a wildcard in the Region or account part stays in its part unless it ends it', () => {
    const midSegment = allowPublish('arn:aws:iot:eu-*-1:123456789012:topic/t');
    expect(authorize([midSegment], 'iot:Publish', topic('t'), connection()).allowed).toBe(true);
    expect(authorize([allowPublish('arn:aws:iot:*:*:topic/t')], 'iot:Publish', topic('t'), connection()).allowed).toBe(true);
    expect(authorize([allowPublish('arn:aws:iot:eu-?est-1:123456789012:topic/t')], 'iot:Publish', topic('t'), connection()).allowed).toBe(true);
    // A "*" inside a part cannot run across colons; one that ends a part can ("it can expand to match beyond the colon boundaries").
    expect(authorize([allowPublish('arn:aws:iot:e*2:topic/t')], 'iot:Publish', topic('t'), connection()).allowed).toBe(false);
    expect(authorize([allowPublish('arn:aws:iot:*:topic/t')], 'iot:Publish', topic('t'), connection()).allowed).toBe(true);
    // "?" cannot stand for the colon between Region and account.
    expect(authorize([allowPublish('arn:aws:iot:eu-west-1?123456789012:topic/t')], 'iot:Publish', topic('t'), connection()).allowed).toBe(false);
  });

  test('NotResource with Allow grants on every resource but the listed ones', () => {
    const document = policy({ Effect: 'Allow', Action: 'iot:Publish', NotResource: [topic('admin/*'), topic('$aws/*')] });
    expect(authorize([document], 'iot:Publish', topic('telemetry/1'), connection()).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('admin/reboot'), connection()).allowed).toBe(false);
    expect(authorize([document], 'iot:Publish', topic('$aws/things/x/shadow/update'), connection()).allowed).toBe(false);
  });

  test('NotResource with Deny denies everywhere but the listed resources', () => {
    const documents = [allowAll, policy({ Effect: 'Deny', Action: 'iot:Publish', NotResource: topic('things/${iot:ClientId}/*') })];
    expect(authorize(documents, 'iot:Publish', topic('things/sensor-1/x'), connection()).allowed).toBe(true);
    expect(authorize(documents, 'iot:Publish', topic('things/sensor-2/x'), connection()).allowed).toBe(false);
  });
});

describe('policy variables', () => {
  const allowPublish = (resource: string) => policy({ Effect: 'Allow', Action: 'iot:Publish', Resource: resource });

  test('${iot:ClientId} is the client id, for any connection', () => {
    const document = allowPublish(topic('clients/${iot:ClientId}/*'));
    expect(authorize([document], 'iot:Publish', topic('clients/app-9/x'), unattachedConnection('app-9')).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('clients/app-8/x'), unattachedConnection('app-9')).allowed).toBe(false);
  });

  test('thing variables resolve to the attached thing\'s name, type and attributes', () => {
    const device = connection({ thingTypeName: 'Thermostat', thingAttributes: { building: 'B7', floor: '3' } });
    const document = allowPublish(topic('${iot:Connection.Thing.ThingTypeName}/${iot:Connection.Thing.Attributes[building]}/${iot:Connection.Thing.ThingName}'));
    expect(authorize([document], 'iot:Publish', topic('Thermostat/B7/sensor-1'), device).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('Thermostat/B8/sensor-1'), device).allowed).toBe(false);
  });

  test('certificate variables: ${iot:CertificateId} and the subject and issuer fields', () => {
    const device = connection({
      certificateId: 'ab'.repeat(32),
      certificateSubject: { CommonName: 'sensor-1.example', Organization: 'Acme', Country: 'DE' },
      certificateIssuer: { CommonName: 'Acme Device CA' },
    });
    expect(authorize([allowPublish(topic('certs/${iot:CertificateId}'))], 'iot:Publish', topic(`certs/${'ab'.repeat(32)}`), device).allowed).toBe(true);
    const bySubject = allowPublish(topic('${iot:Certificate.Subject.Organization}/${iot:Certificate.Subject.Country}/${iot:Certificate.Subject.CommonName}'));
    expect(authorize([bySubject], 'iot:Publish', topic('Acme/DE/sensor-1.example'), device).allowed).toBe(true);
    expect(authorize([allowPublish(topic('ca/${iot:Certificate.Issuer.CommonName}'))], 'iot:Publish', topic('ca/Acme Device CA'), device).allowed)
      .toBe(true);
  });

  test('a resource whose variable cannot be resolved matches nothing, while other entries of the statement still do', () => {
    const document = policy({
      Effect: 'Allow',
      Action: 'iot:Publish',
      Resource: [topic('things/${iot:Connection.Thing.ThingName}/*'), topic('public/*')],
    });
    const noThing = unattachedConnection('sensor-1');
    expect(authorize([document], 'iot:Publish', topic('things/sensor-1/x'), noThing).allowed).toBe(false);
    // The unresolved variable is not the empty string either.
    expect(authorize([document], 'iot:Publish', topic('things//x'), noThing).allowed).toBe(false);
    expect(authorize([document], 'iot:Publish', topic('public/x'), noThing).allowed).toBe(true);
  });

  test('missing values leave their variable unresolved: subject fields, attributes, thing type, unknown names', () => {
    const device = connection({ certificateSubject: { CommonName: 'cn' }, thingAttributes: {} });
    for (const variable of [
      '${iot:Certificate.Subject.Organization}',
      '${iot:Connection.Thing.Attributes[building]}',
      '${iot:Connection.Thing.Attributes[constructor]}',
      '${iot:Connection.Thing.ThingTypeName}',
      '${iot:CertificateId}',
      '${iot:NoSuchVariable}',
    ]) {
      expect(authorize([allowPublish(topic(`x/${variable}`))], 'iot:Publish', topic(`x/${variable}`), device).allowed).toBe(false);
      expect(authorize([allowPublish(topic(`x/${variable}`))], 'iot:Publish', topic('x/'), device).allowed).toBe(false);
    }
  });

  test('an unresolved variable in a Deny resource denies nothing', () => {
    const documents = [allowAll, policy({ Effect: 'Deny', Action: 'iot:Publish', Resource: topic('${iot:Connection.Thing.ThingName}/*') })];
    expect(authorize(documents, 'iot:Publish', topic('sensor-1/x'), unattachedConnection('sensor-1')).allowed).toBe(true);
    expect(authorize(documents, 'iot:Publish', topic('sensor-1/x'), connection()).allowed).toBe(false);
  });

  test('a substituted value is literal text: a client id "*" or "+" is no wildcard', () => {
    const document = allowPublish(topic('clients/${iot:ClientId}'));
    expect(authorize([document], 'iot:Publish', topic('clients/*'), unattachedConnection('*')).allowed).toBe(true);
    expect(authorize([document], 'iot:Publish', topic('clients/anything'), unattachedConnection('*')).allowed).toBe(false);
    expect(authorize([document], 'iot:Publish', topic('clients/a'), unattachedConnection('?')).allowed).toBe(false);
  });

  test('${*}, ${?} and ${$} stand for the literal characters', () => {
    const star = allowPublish(topic('literal/${*}'));
    expect(authorize([star], 'iot:Publish', topic('literal/*'), connection()).allowed).toBe(true);
    expect(authorize([star], 'iot:Publish', topic('literal/x'), connection()).allowed).toBe(false);
    const question = allowPublish(topic('what${?}'));
    expect(authorize([question], 'iot:Publish', topic('what?'), connection()).allowed).toBe(true);
    expect(authorize([question], 'iot:Publish', topic('whatx'), connection()).allowed).toBe(false);
    const dollar = allowPublish(topic('${$}{iot:ClientId}'));
    expect(authorize([dollar], 'iot:Publish', topic('${iot:ClientId}'), connection()).allowed).toBe(true);
    expect(authorize([dollar], 'iot:Publish', topic('sensor-1'), connection()).allowed).toBe(false);
  });

  test('without Version 2012-10-17, ${...} is literal text, as in IAM\'s 2008-10-17 language', () => {
    const legacy = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: topic('c/${iot:ClientId}') }] });
    expect(authorize([legacy], 'iot:Publish', topic('c/sensor-1'), connection()).allowed).toBe(false);
    expect(authorize([legacy], 'iot:Publish', topic('c/${iot:ClientId}'), connection()).allowed).toBe(true);
  });

  test('variable names compare without regard to case', () => {
    const document = allowPublish(topic('c/${IOT:clientid}'));
    expect(authorize([document], 'iot:Publish', topic('c/sensor-1'), connection()).allowed).toBe(true);
  });
});
