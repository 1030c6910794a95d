import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeleteConflictException,
  DeletePolicyCommand,
  DeleteThingCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  GetPolicyCommand,
  InvalidRequestException,
  LimitExceededException,
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  ListTagsForResourceCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  MalformedPolicyException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  VersionConflictException,
} from '@aws-sdk/client-iot';
import { startTestCloud, type TestCloud } from './harness';
import { DEVICE_POLICY } from '../model/fixtures';

let cloud: TestCloud;
const arn = (kind: string, name: string) => `arn:aws:iot:us-east-1:123456789012:${kind}/${name}`;

beforeAll(async () => {
  cloud = await startTestCloud({ rateLimits: false, dataEndpoint: 'localhost:18883' });
});
afterAll(() => cloud.close());

async function newCertificate(): Promise<{ certificateArn: string; certificateId: string }> {
  const out = await cloud.client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  return { certificateArn: out.certificateArn!, certificateId: out.certificateId! };
}

describe('things', () => {
  test('CreateThing then DescribeThing', async () => {
    const out = await cloud.client.send(new CreateThingCommand({ thingName: 'sensor-1', attributePayload: { attributes: { site: 'berlin' } } }));
    expect(out).toMatchObject({ thingName: 'sensor-1', thingArn: arn('thing', 'sensor-1') });
    expect(out.thingId).toMatch(/^[0-9a-f-]{36}$/);
    const described = await cloud.client.send(new DescribeThingCommand({ thingName: 'sensor-1' }));
    expect(described).toMatchObject({ thingName: 'sensor-1', thingId: out.thingId, defaultClientId: 'sensor-1', attributes: { site: 'berlin' }, version: 1 });
  });

  test('CreateThing is idempotent for identical input, ResourceAlreadyExistsException otherwise', async () => {
    const first = await cloud.client.send(new CreateThingCommand({ thingName: 'twin', attributePayload: { attributes: { a: '1' } } }));
    const again = await cloud.client.send(new CreateThingCommand({ thingName: 'twin', attributePayload: { attributes: { a: '1' } } }));
    expect(again.thingId).toBe(first.thingId);
    await expect(cloud.client.send(new CreateThingCommand({ thingName: 'twin', attributePayload: { attributes: { a: '2' } } })))
      .rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  test('names and attributes are checked', async () => {
    for (const thingName of ['has space', 'x'.repeat(129), 'slash/name']) {
      await expect(cloud.client.send(new CreateThingCommand({ thingName }))).rejects.toBeInstanceOf(InvalidRequestException);
    }
    await cloud.client.send(new CreateThingCommand({ thingName: 'ok:name_with-chars' }));
    await expect(cloud.client.send(new CreateThingCommand({ thingName: 'many-attrs', attributePayload: { attributes: { a: '1', b: '2', c: '3', d: '4' } } })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    await expect(cloud.client.send(new CreateThingCommand({ thingName: 'typed', thingTypeName: 'no-such-type' })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('DescribeThing of an unknown thing: ResourceNotFoundException', async () => {
    await expect(cloud.client.send(new DescribeThingCommand({ thingName: 'ghost' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('DeleteThing: refused while a principal is attached, stale expectedVersion refused, unknown thing fine', async () => {
    await cloud.client.send(new CreateThingCommand({ thingName: 'to-delete' }));
    const cert = await newCertificate();
    await cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'to-delete', principal: cert.certificateArn }));
    await expect(cloud.client.send(new DeleteThingCommand({ thingName: 'to-delete' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await cloud.client.send(new DetachThingPrincipalCommand({ thingName: 'to-delete', principal: cert.certificateArn }));
    await expect(cloud.client.send(new DeleteThingCommand({ thingName: 'to-delete', expectedVersion: 7 }))).rejects.toBeInstanceOf(VersionConflictException);
    await cloud.client.send(new DeleteThingCommand({ thingName: 'to-delete', expectedVersion: 1 }));
    await expect(cloud.client.send(new DescribeThingCommand({ thingName: 'to-delete' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await cloud.client.send(new DeleteThingCommand({ thingName: 'to-delete' }));
  });

  test('ListThings filters by type and attribute, and pages', async () => {
    await cloud.client.send(new CreateThingTypeCommand({ thingTypeName: 'lamp', thingTypeProperties: { thingTypeDescription: 'a lamp' } }));
    for (const [name, room] of [['lamp-1', 'kitchen'], ['lamp-2', 'kitchenette'], ['lamp-3', 'hall']]) {
      await cloud.client.send(new CreateThingCommand({ thingName: name, thingTypeName: 'lamp', attributePayload: { attributes: { room } } }));
    }
    const lamps = await cloud.client.send(new ListThingsCommand({ thingTypeName: 'lamp' }));
    expect(lamps.things!.map(t => t.thingName)).toEqual(['lamp-1', 'lamp-2', 'lamp-3']);
    expect(lamps.things![0]).toMatchObject({ thingTypeName: 'lamp', thingArn: arn('thing', 'lamp-1'), attributes: { room: 'kitchen' }, version: 1 });
    const exact = await cloud.client.send(new ListThingsCommand({ attributeName: 'room', attributeValue: 'kitchen' }));
    expect(exact.things!.map(t => t.thingName)).toEqual(['lamp-1']);
    const prefix = await cloud.client.send(new ListThingsCommand({ attributeName: 'room', attributeValue: 'kitchen', usePrefixAttributeValue: true }));
    expect(prefix.things!.map(t => t.thingName)).toEqual(['lamp-1', 'lamp-2']);
    const page = await cloud.client.send(new ListThingsCommand({ thingTypeName: 'lamp', maxResults: 2 }));
    expect(page.things).toHaveLength(2);
    const rest = await cloud.client.send(new ListThingsCommand({ thingTypeName: 'lamp', maxResults: 2, nextToken: page.nextToken }));
    expect(rest.things!.map(t => t.thingName)).toEqual(['lamp-3']);
    expect(rest.nextToken).toBeUndefined();
  });
});

describe('thing types and thing groups', () => {
  test('CreateThingType / DescribeThingType; same name with other properties refused', async () => {
    const out = await cloud.client.send(new CreateThingTypeCommand({ thingTypeName: 'meter', thingTypeProperties: { searchableAttributes: ['serial'] } }));
    expect(out.thingTypeArn).toBe(arn('thingtype', 'meter'));
    const again = await cloud.client.send(new CreateThingTypeCommand({ thingTypeName: 'meter', thingTypeProperties: { searchableAttributes: ['serial'] } }));
    expect(again.thingTypeId).toBe(out.thingTypeId);
    await expect(cloud.client.send(new CreateThingTypeCommand({ thingTypeName: 'meter', thingTypeProperties: { thingTypeDescription: 'other' } })))
      .rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    const described = await cloud.client.send(new DescribeThingTypeCommand({ thingTypeName: 'meter' }));
    expect(described.thingTypeProperties).toEqual({ searchableAttributes: ['serial'] });
    expect(described.thingTypeMetadata!.creationDate).toBeInstanceOf(Date);
    await expect(cloud.client.send(new DescribeThingTypeCommand({ thingTypeName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('CreateThingGroup with a parent; AddThingToThingGroup by name and by ARN', async () => {
    await cloud.client.send(new CreateThingGroupCommand({ thingGroupName: 'building' }));
    const floor = await cloud.client.send(new CreateThingGroupCommand({ thingGroupName: 'floor-1', parentGroupName: 'building' }));
    expect(floor.thingGroupArn).toBe(arn('thinggroup', 'floor-1'));
    await expect(cloud.client.send(new CreateThingGroupCommand({ thingGroupName: 'orphan', parentGroupName: 'nowhere' })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
    const described = await cloud.client.send(new DescribeThingGroupCommand({ thingGroupName: 'floor-1' }));
    expect(described.thingGroupMetadata).toMatchObject({ parentGroupName: 'building', rootToParentThingGroups: [{ groupName: 'building', groupArn: arn('thinggroup', 'building') }] });

    await cloud.client.send(new CreateThingCommand({ thingName: 'grouped' }));
    await cloud.client.send(new AddThingToThingGroupCommand({ thingGroupName: 'floor-1', thingName: 'grouped' }));
    await cloud.client.send(new AddThingToThingGroupCommand({ thingGroupArn: floor.thingGroupArn, thingArn: arn('thing', 'grouped') }));
    // A second group of the same hierarchy is refused.
    await expect(cloud.client.send(new AddThingToThingGroupCommand({ thingGroupName: 'building', thingName: 'grouped' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    await expect(cloud.client.send(new AddThingToThingGroupCommand({ thingGroupName: 'floor-1', thingName: 'ghost' })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('policies', () => {
  test('CreatePolicy / GetPolicy', async () => {
    const out = await cloud.client.send(new CreatePolicyCommand({ policyName: 'device-policy', policyDocument: DEVICE_POLICY }));
    expect(out).toEqual(expect.objectContaining({ policyName: 'device-policy', policyArn: arn('policy', 'device-policy'), policyVersionId: '1' }));
    const got = await cloud.client.send(new GetPolicyCommand({ policyName: 'device-policy' }));
    expect(got).toMatchObject({ policyDocument: DEVICE_POLICY, defaultVersionId: '1' });
    expect(got.creationDate).toBeInstanceOf(Date);
    await expect(cloud.client.send(new CreatePolicyCommand({ policyName: 'device-policy', policyDocument: DEVICE_POLICY })))
      .rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(cloud.client.send(new GetPolicyCommand({ policyName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('malformed documents and bad names are refused', async () => {
    for (const policyDocument of ['{not json', '{"Version":"2012-10-17"}', '{"Statement":[{"Effect":"Maybe","Action":"iot:Connect","Resource":"*"}]}']) {
      await expect(cloud.client.send(new CreatePolicyCommand({ policyName: 'broken', policyDocument }))).rejects.toBeInstanceOf(MalformedPolicyException);
    }
    await expect(cloud.client.send(new CreatePolicyCommand({ policyName: 'bad name!', policyDocument: DEVICE_POLICY }))).rejects.toBeInstanceOf(InvalidRequestException);
  });

  test('AttachPolicy to a certificate and a thing group, ListAttachedPolicies, DetachPolicy, DeletePolicy conflict', async () => {
    await cloud.client.send(new CreatePolicyCommand({ policyName: 'shared', policyDocument: DEVICE_POLICY }));
    const cert = await newCertificate();
    await cloud.client.send(new AttachPolicyCommand({ policyName: 'shared', target: cert.certificateArn }));
    await cloud.client.send(new AttachPolicyCommand({ policyName: 'shared', target: cert.certificateArn })); // idempotent
    await cloud.client.send(new CreateThingGroupCommand({ thingGroupName: 'policy-parent' }));
    await cloud.client.send(new CreateThingGroupCommand({ thingGroupName: 'policy-child', parentGroupName: 'policy-parent' }));
    await cloud.client.send(new AttachPolicyCommand({ policyName: 'device-policy', target: arn('thinggroup', 'policy-parent') }));

    const onCert = await cloud.client.send(new ListAttachedPoliciesCommand({ target: cert.certificateArn }));
    expect(onCert.policies).toEqual([{ policyName: 'shared', policyArn: arn('policy', 'shared') }]);
    const direct = await cloud.client.send(new ListAttachedPoliciesCommand({ target: arn('thinggroup', 'policy-child') }));
    expect(direct.policies).toEqual([]);
    const inherited = await cloud.client.send(new ListAttachedPoliciesCommand({ target: arn('thinggroup', 'policy-child'), recursive: true }));
    expect(inherited.policies!.map(p => p.policyName)).toEqual(['device-policy']);

    await expect(cloud.client.send(new DeletePolicyCommand({ policyName: 'shared' }))).rejects.toBeInstanceOf(DeleteConflictException);
    await cloud.client.send(new DetachPolicyCommand({ policyName: 'shared', target: cert.certificateArn }));
    await cloud.client.send(new DeletePolicyCommand({ policyName: 'shared' }));
    await expect(cloud.client.send(new GetPolicyCommand({ policyName: 'shared' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('AttachPolicy errors: unknown policy, unknown certificate, target that is not a certificate or group, more than 10', async () => {
    const cert = await newCertificate();
    await expect(cloud.client.send(new AttachPolicyCommand({ policyName: 'nope', target: cert.certificateArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(cloud.client.send(new AttachPolicyCommand({ policyName: 'device-policy', target: arn('cert', 'd'.repeat(64)) })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(cloud.client.send(new AttachPolicyCommand({ policyName: 'device-policy', target: 'arn:aws:iam::123456789012:role/x' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    for (let i = 0; i < 10; i++) {
      await cloud.client.send(new CreatePolicyCommand({ policyName: `many-${i}`, policyDocument: DEVICE_POLICY }));
      await cloud.client.send(new AttachPolicyCommand({ policyName: `many-${i}`, target: cert.certificateArn }));
    }
    await expect(cloud.client.send(new AttachPolicyCommand({ policyName: 'device-policy', target: cert.certificateArn }))).rejects.toBeInstanceOf(LimitExceededException);
  });
});

describe('thing principals', () => {
  test('attach, list both ways, detach', async () => {
    await cloud.client.send(new CreateThingCommand({ thingName: 'principal-thing' }));
    const cert = await newCertificate();
    await cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'principal-thing', principal: cert.certificateArn }));
    expect((await cloud.client.send(new ListThingPrincipalsCommand({ thingName: 'principal-thing' }))).principals).toEqual([cert.certificateArn]);
    expect((await cloud.client.send(new ListPrincipalThingsCommand({ principal: cert.certificateArn }))).things).toEqual(['principal-thing']);
    await cloud.client.send(new DetachThingPrincipalCommand({ thingName: 'principal-thing', principal: cert.certificateArn }));
    expect((await cloud.client.send(new ListThingPrincipalsCommand({ thingName: 'principal-thing' }))).principals).toEqual([]);
  });

  test('EXCLUSIVE_THING: an exclusively attached certificate cannot join a second thing, and vice versa', async () => {
    await cloud.client.send(new CreateThingCommand({ thingName: 'exclusive-a' }));
    await cloud.client.send(new CreateThingCommand({ thingName: 'exclusive-b' }));
    const cert = await newCertificate();
    await cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'exclusive-a', principal: cert.certificateArn, thingPrincipalType: 'EXCLUSIVE_THING' }));
    await expect(cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'exclusive-b', principal: cert.certificateArn })))
      .rejects.toBeInstanceOf(InvalidRequestException);

    const shared = await newCertificate();
    await cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'exclusive-a', principal: shared.certificateArn }));
    await cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'exclusive-b', principal: shared.certificateArn }));
    expect((await cloud.client.send(new ListPrincipalThingsCommand({ principal: shared.certificateArn }))).things).toEqual(['exclusive-a', 'exclusive-b']);
    await expect(cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'exclusive-a', principal: shared.certificateArn, thingPrincipalType: 'EXCLUSIVE_THING' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
  });

  test('unknown thing or certificate: ResourceNotFoundException; a principal that is no certificate ARN: InvalidRequestException', async () => {
    const cert = await newCertificate();
    await expect(cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'ghost', principal: cert.certificateArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await cloud.client.send(new CreateThingCommand({ thingName: 'lonely' }));
    await expect(cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'lonely', principal: arn('cert', 'e'.repeat(64)) })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(cloud.client.send(new AttachThingPrincipalCommand({ thingName: 'lonely', principal: 'us-east-1:cognito-id' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    await expect(cloud.client.send(new ListThingPrincipalsCommand({ thingName: 'ghost' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('DescribeEndpoint', () => {
  test('answers the data endpoint for the data endpoint types; refuses unknown types', async () => {
    for (const endpointType of ['iot:Data-ATS', 'iot:Data', undefined]) {
      expect((await cloud.client.send(new DescribeEndpointCommand({ endpointType }))).endpointAddress).toBe('localhost:18883');
    }
    await expect(cloud.client.send(new DescribeEndpointCommand({ endpointType: 'iot:Nope' }))).rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('tags', () => {
  test('TagResource, ListTagsForResource, UntagResource on a policy and a thing group', async () => {
    const policyArn = arn('policy', 'device-policy');
    await cloud.client.send(new TagResourceCommand({ resourceArn: policyArn, tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'iot' }] }));
    expect((await cloud.client.send(new ListTagsForResourceCommand({ resourceArn: policyArn }))).tags).toEqual([{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'iot' }]);
    await cloud.client.send(new UntagResourceCommand({ resourceArn: policyArn, tagKeys: ['env'] }));
    expect((await cloud.client.send(new ListTagsForResourceCommand({ resourceArn: policyArn }))).tags).toEqual([{ Key: 'team', Value: 'iot' }]);

    await cloud.client.send(new CreateThingGroupCommand({ thingGroupName: 'tagged-group', tags: [{ Key: 'from', Value: 'create' }] }));
    expect((await cloud.client.send(new ListTagsForResourceCommand({ resourceArn: arn('thinggroup', 'tagged-group') }))).tags).toEqual([{ Key: 'from', Value: 'create' }]);
  });

  test('an unknown resource is not found; a non-IoT ARN or a reserved key is invalid', async () => {
    await expect(cloud.client.send(new ListTagsForResourceCommand({ resourceArn: arn('policy', 'missing') }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(cloud.client.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(cloud.client.send(new TagResourceCommand({ resourceArn: arn('policy', 'device-policy'), tags: [{ Key: 'aws:x', Value: '1' }] })))
      .rejects.toBeInstanceOf(InvalidRequestException);
  });
});
