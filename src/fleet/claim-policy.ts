import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { iotArn } from '../core/iot-arn';

/** The payload formats of the fleet provisioning MQTT API. */
const FORMATS = ['json', 'cbor'];

/**
 * What a claim certificate may do, and nothing more: connect, and use the
 * fleet provisioning API for this one template, in both formats. Requests are
 * published to exactly the six request topics (`topic/...`); answers are
 * received on `topic/<api>/*` and subscribed to as `topicfilter/<api>/*`
 * (users who write `topic/` for Subscribe get 403s). One wildcard per API for
 * the answers keeps the document under AWS IoT's 2048-character limit, which
 * all twelve answer topics spelled out for both actions would break.
 */
export function claimPolicyStatements(scope: Construct, templateName: string): iam.PolicyStatement[] {
  const arn = (resource: 'topic' | 'topicfilter' | 'client', name: string) => iotArn(scope, resource, name);
  const apis = ['$aws/certificates/create', '$aws/certificates/create-from-csr', `$aws/provisioning-templates/${templateName}/provision`];
  const requests = apis.flatMap((api) => FORMATS.map((format) => `${api}/${format}`));
  const answers = apis.map((api) => `${api}/*`);
  return [
    new iam.PolicyStatement({
      actions: ['iot:Connect'],
      // Claim devices have no thing yet: any client id, but only this policy's topics after that.
      resources: [arn('client', '*')],
    }),
    new iam.PolicyStatement({ actions: ['iot:Publish'], resources: requests.map((topic) => arn('topic', topic)) }),
    new iam.PolicyStatement({ actions: ['iot:Receive'], resources: answers.map((topic) => arn('topic', topic)) }),
    new iam.PolicyStatement({ actions: ['iot:Subscribe'], resources: answers.map((topic) => arn('topicfilter', topic)) }),
  ];
}
