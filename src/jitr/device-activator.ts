import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { BufferedQueue } from '../core/buffered-queue';
import { HandlerFunction } from '../core/handler-function';
import { iotArn } from '../core/iot-arn';
import { attachRolePolicy } from '../core/role-policy';

/** The topic AWS IoT publishes a certificate-registered event on, for every CA. */
export const CERTIFICATE_REGISTERED_TOPIC = '$aws/events/certificates/registered/+';

export interface DeviceActivatorProps {
  readonly registrarId: string;
  readonly devicePolicyName: string;
  readonly devicePolicyArn: string;
  readonly verifiers: { [name: string]: lambda.IFunction };
  /** Concurrent activator instances; each activates the devices of its batch at once. */
  readonly concurrency: number;
  readonly maxReceiveCount: number;
}

/**
 * certificate-registered events -> topic rule -> SQS (with DLQ) -> activator Lambda.
 */
export class DeviceActivator extends Construct {
  public readonly function: lambda.IFunction;
  public readonly buffer: BufferedQueue;
  public readonly topicRule: iot.CfnTopicRule;

  constructor(scope: Construct, id: string, props: DeviceActivatorProps) {
    super(scope, id);
    if (!Number.isInteger(props.concurrency) || props.concurrency < 2 || props.concurrency > 100) {
      throw new Error(`activatorConcurrency must be an integer from 2 to 100 (SQS event sources need at least 2), got ${props.concurrency}`);
    }
    const timeout = Duration.seconds(60);
    const handler = new HandlerFunction(this, 'Handler', {
      handlerName: 'device-activator',
      description: 'Activates just-in-time registered device certificates: verify, thing, policy, ACTIVE',
      timeout,
      // Sized for the control plane: each instance has up to a batch (5) of activations in flight, ~6 calls each, against ~10 TPS account limits.
      reservedConcurrentExecutions: props.concurrency,
      environment: {
        REGISTRAR_ID: props.registrarId,
        DEVICE_POLICY_NAME: props.devicePolicyName,
        VERIFIER_ARNS: Stack.of(this).toJsonString(
          Object.fromEntries(Object.entries(props.verifiers).map(([name, fn]) => [name, fn.functionArn])),
        ),
      },
    });
    this.function = handler.function;
    grantActivation(this, handler.role, props.devicePolicyArn, Object.values(props.verifiers));

    this.buffer = new BufferedQueue(this, 'Buffer', {
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      maxReceiveCount: props.maxReceiveCount,
      purpose: 'JITR device activation',
    });
    this.function.addEventSource(new SqsEventSource(this.buffer.queue, {
      batchSize: 5,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      maxConcurrency: props.concurrency,
    }));
    this.topicRule = this.createTopicRule();
  }

  private createTopicRule(): iot.CfnTopicRule {
    const role = new iam.Role(this, 'TopicRuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        // Only this account's rules may use the role (no confused deputy).
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets the JITR topic rule send certificate-registered events to its queue',
    });
    this.buffer.queue.grantSendMessages(role);
    this.buffer.deadLetterQueue.grantSendMessages(role);
    return new iot.CfnTopicRule(this, 'TopicRule', {
      topicRulePayload: {
        description: 'Buffers JITR certificate-registered events for the device activator',
        sql: `SELECT * FROM '${CERTIFICATE_REGISTERED_TOPIC}'`,
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        actions: [{ sqs: { queueUrl: this.buffer.queue.queueUrl, roleArn: role.roleArn, useBase64: false } }],
        // If the queue cannot take an event, it goes straight to the DLQ rather than vanishing.
        errorAction: { sqs: { queueUrl: this.buffer.deadLetterQueue.queueUrl, roleArn: role.roleArn, useBase64: false } },
      },
    });
  }
}

function grantActivation(scope: Construct, role: iam.IRole, devicePolicyArn: string, verifiers: lambda.IFunction[]): void {
  const arn = (resource: string) => iotArn(scope, resource);
  attachRolePolicy(scope, 'IotPolicy', role, [
    new iam.PolicyStatement({
      actions: ['iot:DescribeCACertificate', 'iot:ListTagsForResource'],
      resources: [arn('cacert')],
    }),
    new iam.PolicyStatement({
      actions: ['iot:DescribeCertificate', 'iot:UpdateCertificate'],
      resources: [arn('cert')],
    }),
    new iam.PolicyStatement({
      actions: ['iot:CreateThing', 'iot:ListThingPrincipals', 'iot:AttachThingPrincipal'],
      resources: [arn('thing')],
    }),
    new iam.PolicyStatement({
      // AWS IoT authorizes AttachPolicy against the target certificate (and the policy).
      actions: ['iot:AttachPolicy'],
      resources: [arn('cert'), devicePolicyArn],
    }),
  ], 'Device certificates and things are created by devices at run time, so their ARNs are matched by cert/* and thing/*; the activator ignores CAs other constructs registered.');
  if (verifiers.length > 0) {
    attachRolePolicy(scope, 'VerifierPolicy', role, [new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: verifiers.map((verifier) => verifier.functionArn),
    })]);
  }
}
