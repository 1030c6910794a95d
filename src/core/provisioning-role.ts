import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IDependable } from 'constructs';
import { iotArn } from './iot-arn';
import { attachRolePolicy } from './role-policy';

/** AWS's managed policy for provisioning roles: everything any template may do. */
const THINGS_REGISTRATION_POLICY = 'service-role/AWSIoTThingsRegistration';

export interface ProvisioningRoleProps {
  /** What the role is for, in its description: e.g. 'just-in-time provisioned devices'. */
  readonly purpose: string;
  /** The shared device policy the default template attaches. */
  readonly devicePolicyArn: string;
  /**
   * True for the library's default template, whose needs are known: the role
   * then gets exactly those. A user's template may use thing groups, types or
   * policies of its own, so it gets AWS's managed policy.
   */
  readonly defaultTemplate: boolean;
}

export interface ProvisioningRole {
  readonly role: iam.Role;
  /** What must be deployed before AWS IoT may use the role: its inline policy, if any. */
  readonly permissions: IDependable;
}

/**
 * The role AWS IoT assumes to run a provisioning template: trusted by
 * iot.amazonaws.com only.
 */
export function createProvisioningRole(scope: Construct, id: string, props: ProvisioningRoleProps): ProvisioningRole {
  const role = new iam.Role(scope, id, {
    // AWS IoT documents no source-account context for provisioning roles, so a
    // condition on it could refuse AWS IoT itself; the trust names the service only.
    assumedBy: new iam.ServicePrincipal('iot.amazonaws.com'),
    description: `Lets AWS IoT provision ${props.purpose} (cdk-iot-security)`,
  });
  if (!props.defaultTemplate) {
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(THINGS_REGISTRATION_POLICY));
    // Written as Validations.acknowledge() records it, which refuses finding ids with two '::' (see attachRolePolicy).
    role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      [`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${THINGS_REGISTRATION_POLICY}]`]:
        'A user-supplied provisioning template may create any thing, group or policy; AWSIoTThingsRegistration is the policy AWS documents for it.',
    });
    return { role, permissions: role };
  }
  const arn = (resource: string) => iotArn(scope, resource);
  const policy = attachRolePolicy(scope, `${id}Policy`, role, [
    new iam.PolicyStatement({
      actions: ['iot:CreateThing', 'iot:DescribeThing', 'iot:UpdateThing', 'iot:AttachThingPrincipal', 'iot:ListThingPrincipals'],
      resources: [arn('thing')],
    }),
    new iam.PolicyStatement({
      actions: ['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:AttachThingPrincipal', 'iot:ListPrincipalThings'],
      resources: [arn('cert')],
    }),
    new iam.PolicyStatement({
      // AWS IoT authorizes AttachPolicy against the target certificate and the policy.
      actions: ['iot:AttachPolicy', 'iot:GetPolicy'],
      resources: [arn('cert'), props.devicePolicyArn],
    }),
    new iam.PolicyStatement({
      // RegisterThing (which JITP runs the template through) has no resource type: '*' is the only possible resource.
      actions: ['iot:RegisterThing'],
      resources: ['*'],
    }),
  ], 'Things and device certificates appear at first connect, so their ARNs are matched by thing/* and cert/*; RegisterThing has no resource type.');
  return { role, permissions: policy };
}
