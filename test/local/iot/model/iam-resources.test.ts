import { ROUTES } from '../../../../local/iot/http/routes';
import { ArnBuilder } from '../../../../local/iot/model/arns';
import { IAM_RESOURCES, resourcesOfAction, resourcesToAuthorize, UNROUTED_IAM_RESOURCES } from '../../../../local/iot/model/iam-resources';

const arns = new ArnBuilder('eu-west-1', '111122223333');
const ARN = 'arn:aws:iot:eu-west-1:111122223333';
const CERT_ARN = `${ARN}:cert/abc123`;

describe('IAM resources of the control-plane operations', () => {
  test('every route has a resource mapping, and every mapping a route', () => {
    const operations = ROUTES.map(route => route.operation);
    expect(operations.filter(op => !(op in IAM_RESOURCES))).toEqual([]);
    expect(Object.keys(IAM_RESOURCES).filter(op => !operations.includes(op))).toEqual([]);
  });

  test('an operation without a mapping is refused rather than served unauthorized', () => {
    expect(() => resourcesToAuthorize('DeleteEverything', {}, arns)).toThrow('No IAM resource mapping for iot:DeleteEverything');
    expect(() => resourcesToAuthorize('toString', {}, arns)).toThrow('No IAM resource mapping');
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ['CreateThing', { thingName: 'sensor-1' }, [`${ARN}:thing/sensor-1`]],
    ['DescribeThing', { thingName: 'sensor-1' }, [`${ARN}:thing/sensor-1`]],
    ['AttachThingPrincipal', { thingName: 'sensor-1', principal: CERT_ARN }, [`${ARN}:thing/sensor-1`]],
    ['ListThingPrincipals', { thingName: 'sensor-1' }, [`${ARN}:thing/sensor-1`]],
    ['DescribeCertificate', { certificateId: 'abc123' }, [CERT_ARN]],
    ['UpdateCertificate', { certificateId: 'abc123', newStatus: 'ACTIVE' }, [CERT_ARN]],
    ['DescribeCACertificate', { certificateId: 'ca1' }, [`${ARN}:cacert/ca1`]],
    ['DeleteCACertificate', { certificateId: 'ca1' }, [`${ARN}:cacert/ca1`]],
    ['AttachPolicy', { policyName: 'DevicePolicy', target: CERT_ARN }, [CERT_ARN, `${ARN}:policy/DevicePolicy`]],
    ['DetachPolicy', { policyName: 'DevicePolicy', target: `${ARN}:thinggroup/fleet` }, [`${ARN}:thinggroup/fleet`, `${ARN}:policy/DevicePolicy`]],
    ['ListAttachedPolicies', { target: CERT_ARN }, [CERT_ARN]],
    ['CreatePolicy', { policyName: 'DevicePolicy', policyDocument: '{}' }, [`${ARN}:policy/DevicePolicy`]],
    ['TagResource', { resourceArn: `${ARN}:cacert/ca1`, tags: [] }, [`${ARN}:cacert/ca1`]],
    ['ListTagsForResource', { resourceArn: `${ARN}:cacert/ca1` }, [`${ARN}:cacert/ca1`]],
    ['DescribeProvisioningTemplate', { templateName: 'fleet' }, [`${ARN}:provisioningtemplate/fleet`]],
    ['CreateProvisioningClaim', { templateName: 'fleet' }, [`${ARN}:provisioningtemplate/fleet`]],
    ['CreateThingGroup', { thingGroupName: 'child', parentGroupName: 'parent' }, [`${ARN}:thinggroup/child`, `${ARN}:thinggroup/parent`]],
    ['AddThingToThingGroup', { thingGroupName: 'fleet', thingArn: `${ARN}:thing/sensor-1` }, [`${ARN}:thinggroup/fleet`, `${ARN}:thing/sensor-1`]],
    ['ListPrincipalThings', { principal: CERT_ARN }, [CERT_ARN]],
    ['RegisterThing', { templateBody: '{}' }, ['*']],
    ['RegisterCACertificate', { caCertificate: 'PEM' }, ['*']],
    ['CreateKeysAndCertificate', {}, ['*']],
    ['GetRegistrationCode', {}, ['*']],
    ['DescribeEndpoint', {}, ['*']],
    ['ListThings', {}, ['*']],
    ['UpdateThing', { thingName: 'sensor-1', attributePayload: { attributes: {} } }, [`${ARN}:thing/sensor-1`]],
    ['UpdateEventConfigurations', { eventConfigurations: { THING: { Enabled: true } } }, ['*']],
    ['DescribeEventConfigurations', {}, ['*']],
  ])('%s(%j) -> %j', (operation, input, expected) => {
    expect(resourcesToAuthorize(operation, input, arns)).toEqual(expected);
  });

  test('provisioning\'s operations (UpdateThing included, now served) are known to resourcesOfAction', () => {
    const operations = ROUTES.map(route => route.operation);
    expect(Object.keys(UNROUTED_IAM_RESOURCES).filter(op => operations.includes(op))).toEqual([]);
    expect(resourcesOfAction('UpdateThing', { thingName: 'sensor-1' }, arns)).toEqual([`${ARN}:thing/sensor-1`]);
    expect(resourcesOfAction('CreateThing', { thingName: 'sensor-1' }, arns)).toEqual([`${ARN}:thing/sensor-1`]);
    expect(() => resourcesOfAction('DeleteEverything', {}, arns)).toThrow('No IAM resource mapping for iot:DeleteEverything');
  });

  test('a missing naming member is checked on "*", which only an unrestricted grant allows', () => {
    expect(resourcesToAuthorize('AttachPolicy', { policyName: 'DevicePolicy' }, arns)).toEqual(['*', `${ARN}:policy/DevicePolicy`]);
    expect(resourcesToAuthorize('TagResource', { resourceArn: 42 }, arns)).toEqual(['*']);
  });
});
