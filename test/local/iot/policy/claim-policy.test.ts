import { ARN_PREFIX, client, policy, topic, topicFilter, unattachedConnection } from './support';
import { authorize } from '../../../../local/iot/policy';

const TEMPLATE = 'FactoryTemplate';
const provisioningTopics = [
  '$aws/certificates/create/*',
  '$aws/certificates/create-from-csr/*',
  `$aws/provisioning-templates/${TEMPLATE}/provision/*`,
];

/** The claim certificate's policy, as AWS-FACTS.md and the fleet provisioning guide write it. */
const claimPolicy = policy(
  { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
  { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: provisioningTopics.map((name) => `${ARN_PREFIX}:topic/${name}`) },
  { Effect: 'Allow', Action: 'iot:Subscribe', Resource: provisioningTopics.map((name) => `${ARN_PREFIX}:topicfilter/${name}`) },
);

/** The same policy with the classic mistake: Subscribe granted on topic/ ARNs. */
const mistakenClaimPolicy = policy(
  { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
  { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive', 'iot:Subscribe'], Resource: provisioningTopics.map((name) => `${ARN_PREFIX}:topic/${name}`) },
);

describe('the fleet provisioning claim policy', () => {
  // A claim certificate is attached to no thing; the device picks any client id.
  const claimant = unattachedConnection('factory-7f3a');

  test('a claimant connects with any client id', () => {
    expect(authorize([claimPolicy], 'iot:Connect', client('factory-7f3a'), claimant).allowed).toBe(true);
  });

  test.each([
    '$aws/certificates/create/json',
    '$aws/certificates/create-from-csr/json',
    `$aws/provisioning-templates/${TEMPLATE}/provision/json`,
    '$aws/certificates/create/cbor',
  ])('it publishes its request on %s', (name) => {
    expect(authorize([claimPolicy], 'iot:Publish', topic(name), claimant).allowed).toBe(true);
  });

  test.each([
    '$aws/certificates/create/json/accepted',
    '$aws/certificates/create-from-csr/json/rejected',
    `$aws/provisioning-templates/${TEMPLATE}/provision/json/accepted`,
  ])('it subscribes to and receives the answer on %s', (name) => {
    expect(authorize([claimPolicy], 'iot:Subscribe', topicFilter(name), claimant).allowed).toBe(true);
    expect(authorize([claimPolicy], 'iot:Receive', topic(name), claimant).allowed).toBe(true);
  });

  test('it may subscribe with an MQTT wildcard under an allowed prefix, since "*" covers the literal "+"', () => {
    expect(authorize([claimPolicy], 'iot:Subscribe', topicFilter('$aws/certificates/create/json/+'), claimant).allowed).toBe(true);
  });

  test('it cannot use another template, nor any other topic', () => {
    expect(authorize([claimPolicy], 'iot:Publish', topic('$aws/provisioning-templates/OtherTemplate/provision/json'), claimant).allowed)
      .toBe(false);
    expect(authorize([claimPolicy], 'iot:Publish', topic('things/anything'), claimant).allowed).toBe(false);
    expect(authorize([claimPolicy], 'iot:Subscribe', topicFilter('$aws/things/#'), claimant).allowed).toBe(false);
  });

  test('granting Subscribe on topic/ ARNs does not allow subscribing, and the reason says why', () => {
    const decision = authorize([mistakenClaimPolicy], 'iot:Subscribe', topicFilter('$aws/certificates/create/json/accepted'), claimant);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain(`no statement allows iot:Subscribe on ${topicFilter('$aws/certificates/create/json/accepted')}`);
    expect(decision.reason).toContain('iot:Subscribe is authorized against topicfilter/ ARNs, not topic/');
    // Publishing with the mistaken policy still works: only Subscribe is affected.
    expect(authorize([mistakenClaimPolicy], 'iot:Publish', topic('$aws/certificates/create/json'), claimant).allowed).toBe(true);
  });
});
