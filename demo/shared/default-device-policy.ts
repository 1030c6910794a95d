/**
 * The document of the constructs' default device policy (src/core/device-policy.ts)
 * for a given account and Region, for scripts and tests that set up the local
 * cloud by hand. The construct test asserts the same statements.
 */
export function defaultDevicePolicyDocument(region: string, accountId: string): string {
  const arn = (resource: string) => `arn:aws:iot:${region}:${accountId}:${resource}`;
  const ownTopics = ['things/${iot:Connection.Thing.ThingName}/*', '$aws/things/${iot:Connection.Thing.ThingName}/*'];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn('client/${iot:Connection.Thing.ThingName}'),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: ownTopics.map((topic) => arn(`topic/${topic}`)) },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: ownTopics.map((topic) => arn(`topicfilter/${topic}`)) },
    ],
  });
}
