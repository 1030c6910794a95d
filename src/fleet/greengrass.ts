import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../core/acknowledge';

const LOGS_REASON = 'Greengrass components log to groups they name at run time under /aws/greengrass/; the wildcard covers that prefix alone.';

/**
 * Options for devices that run AWS IoT Greengrass V2.
 */
export interface GreengrassOptions {
  /**
   * Buckets holding your components' artifacts; the core device may read them.
   *
   * @default - none
   */
  readonly artifactBuckets?: s3.IBucket[];

  /**
   * More permissions for the core device's components (the token exchange role).
   *
   * @default - only logs and artifact reads
   */
  readonly additionalPolicyStatements?: iam.PolicyStatement[];
}

/**
 * The Greengrass V2 token exchange role and its role alias: a core device
 * trades its certificate for the role's credentials through the AWS IoT
 * credentials provider (`iot:AssumeRoleWithCertificate` on the alias).
 */
export class GreengrassTokenExchange extends Construct {
  public readonly role: iam.Role;
  public readonly roleAlias: iot.CfnRoleAlias;
  /** What the device policy needs for a core device: the alias, and the nucleus's Greengrass calls. */
  public readonly devicePolicyStatements: iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: GreengrassOptions) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
      description: 'Greengrass V2 token exchange role of fleet-provisioned core devices (cdk-iot-security)',
    });
    // What the Greengrass nucleus and its log manager use: its own log groups, and the artifacts.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/greengrass/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    for (const bucket of props.artifactBuckets ?? []) {
      bucket.grantRead(this.role);
    }
    for (const statement of props.additionalPolicyStatements ?? []) {
      this.role.addToPrincipalPolicy(statement);
    }
    // Rule packs spell the ARN with the stack's Region and account, or their pseudo parameters when the stack has none.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    acknowledgeFindings(this.role, () => ({
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/greengrass/*]`]: LOGS_REASON,
    }));
    this.roleAlias = new iot.CfnRoleAlias(this, 'RoleAlias', {
      roleArn: this.role.roleArn,
      credentialDurationSeconds: 3600,
    });
    this.devicePolicyStatements = [
      new iam.PolicyStatement({
        actions: ['iot:AssumeRoleWithCertificate'],
        resources: [this.roleAlias.attrRoleAliasArn],
      }),
      new iam.PolicyStatement({
        // What the nucleus calls to receive deployments and components. These Greengrass
        // data-plane actions are authorized by the device's AWS IoT policy, on no narrower resource.
        actions: [
          'greengrass:GetComponentVersionArtifact', 'greengrass:ResolveComponentCandidates',
          'greengrass:GetDeploymentConfiguration', 'greengrass:ListThingGroupsForCoreDevice',
        ],
        resources: ['*'],
      }),
    ];
  }
}
