import { creationOrder, dependenciesOf, referencedNames, resourcesOf } from '../../../../local/runner/assembly';

describe('referencedNames', () => {
  test('Ref, Fn::GetAtt (both forms) and Fn::Sub variables, deep in a value; pseudo parameters left out', () => {
    expect([...referencedNames({
      A: { Ref: 'Bucket' },
      B: [{ 'Fn::GetAtt': ['Role', 'Arn'] }, { 'Fn::GetAtt': 'Queue.QueueName' }],
      C: { 'Fn::Join': ['', [{ Ref: 'AWS::Region' }, { 'Fn::Sub': '${Topic}-${Claim.CertificateId}-${AWS::AccountId}-${!Literal}' }]] },
    })].sort()).toEqual(['Bucket', 'Claim', 'Queue', 'Role', 'Topic']);
  });

  test('Fn::Sub variables its own map defines are not references, the map\'s values are', () => {
    expect([...referencedNames({ 'Fn::Sub': ['${Name}-${Other}', { Name: { Ref: 'Key' } }] })].sort()).toEqual(['Key', 'Other']);
  });
});

describe('creationOrder', () => {
  const template = (resources: Record<string, unknown>) => resourcesOf({ Resources: resources as any });

  test('each resource after what it refers to and what DependsOn names; template order otherwise', () => {
    const resources = template({
      Third: { Type: 'Custom::X', DependsOn: 'Second', Properties: {} },
      First: { Type: 'Custom::X', Properties: {} },
      Second: { Type: 'Custom::X', Properties: { Up: { 'Fn::GetAtt': ['First', 'Name'] } } },
      Free: { Type: 'AWS::SQS::Queue', Properties: {} },
    });
    expect(creationOrder(resources).map((resource) => resource.logicalId)).toEqual(['First', 'Second', 'Third', 'Free']);
    expect(dependenciesOf(resources).get('Third')).toEqual(new Set(['Second']));
  });

  test('references to parameters and unknown names are no dependencies; a cycle is refused as CloudFormation refuses it', () => {
    expect(creationOrder(template({ A: { Type: 'T', Properties: { P: { Ref: 'Param' } } } })).map((resource) => resource.logicalId)).toEqual(['A']);
    expect(() => creationOrder(template({
      A: { Type: 'T', Properties: { P: { Ref: 'B' } } },
      B: { Type: 'T', DependsOn: ['A'], Properties: {} },
      C: { Type: 'T', Properties: {} },
    }))).toThrow('Circular dependency between resources: [A, B]');
  });
});
