import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createCustomResourceProvider } from '../core/custom-resource-provider';
import { HandlerFunction } from '../core/handler-function';
import { attachRolePolicy } from '../core/role-policy';

/** Options of RegistryEventArchive. */
export interface RegistryEventArchiveProps {
  /** What deleting the stack does with the archive bucket (DESTROY empties it first). */
  readonly removalPolicy: RemovalPolicy;
}

/** Registry events of things: created, updated, deleted. */
const THING_EVENTS_TOPIC = '$aws/events/thing/#';

/**
 * AWS IoT registry events of things, archived to S3 by a topic rule (one
 * object per event, under the event's topic). The THING registry events are
 * turned on through a custom resource: AWS IoT publishes none by default.
 */
export class RegistryEventArchive extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly topicRule: iot.CfnTopicRule;

  constructor(scope: Construct, id: string, props: RegistryEventArchiveProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The archive is written only by the topic rule\'s role; enable CloudTrail data events if reads must be audited.',
    });

    const role = new iam.Role(this, 'RuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        // Only this account's rules may use the role (no confused deputy).
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets the registry-event rule write events to the archive bucket',
    });
    attachRolePolicy(this, 'RuleRolePolicy', role, [new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects('*')],
    })], 'Each event is its own object, named at run time under its topic; the wildcard covers this bucket alone.');

    this.topicRule = new iot.CfnTopicRule(this, 'TopicRule', {
      topicRulePayload: {
        description: 'Archives AWS IoT thing registry events to S3 (cdk-iot-security registration gateway)',
        sql: `SELECT * FROM '${THING_EVENTS_TOPIC}'`,
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        actions: [{ s3: { bucketName: this.bucket.bucketName, key: 'events/${topic()}/${timestamp()}-${newuuid()}.json', roleArn: role.roleArn } }],
        // An event that could not be archived is still kept, apart, rather than lost.
        errorAction: { s3: { bucketName: this.bucket.bucketName, key: 'errors/${timestamp()}-${newuuid()}.json', roleArn: role.roleArn } },
      },
    });

    const configurator = new HandlerFunction(this, 'EventConfiguration', {
      handlerName: 'iot-event-configuration',
      description: 'Turns on AWS IoT THING registry events (account-wide) for the registration gateway\'s archive',
      timeout: Duration.seconds(30),
    });
    attachRolePolicy(this, 'EventConfigurationPolicy', configurator.role, [new iam.PolicyStatement({
      // UpdateEventConfigurations has no resource type: '*' is the only possible resource.
      actions: ['iot:UpdateEventConfigurations', 'iot:DescribeEventConfigurations'],
      resources: ['*'],
    })], 'UpdateEventConfigurations and DescribeEventConfigurations have no resource type.');
    const provider = createCustomResourceProvider(this, 'Provider', configurator.function);
    const events = new CustomResource(this, 'ThingEvents', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::IotRegistryEvents',
      properties: { EventTypes: ['THING'] },
    });
    this.topicRule.node.addDependency(events);
  }
}
