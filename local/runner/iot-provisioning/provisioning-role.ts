/**
 * The provisioning role as AWS IoT uses it for JITP and fleet provisioning: IoT assumes the role
 * (the role must exist and its trust policy must let iot.amazonaws.com call sts:AssumeRole) and
 * makes each control-plane call of the template as the role (its identity policies, AWS managed
 * policies such as service-role/AWSIoTThingsRegistration included, must allow it).
 */
import type { ProvisioningRoleAuthorizer } from '../../iot';
import { servicePrincipal, type LocalIam } from '../iam';
import { IOT_SERVICE_PRINCIPAL } from '../iot-rules/actions/lambda-action';

/**
 * The model's provisioning-role authorizer on the runner's IAM. The first refusal is the answer,
 * with AWS's AccessDenied sentence: for the trust, `User: iot.amazonaws.com is not authorized to
 * perform: sts:AssumeRole on resource: <role>`; for a call, `User: <role> is not authorized to
 * perform: iot:<Operation> on resource: <arn>`.
 */
export function provisioningRoleAuthorizer(iam: LocalIam, accountId: string): ProvisioningRoleAuthorizer {
  return (roleArn, requests, sourceArn) => {
    const trust = iam.authorize({
      principal: servicePrincipal(IOT_SERVICE_PRINCIPAL, accountId),
      action: 'sts:AssumeRole',
      resource: roleArn,
      // A role that does not exist has no trust policy, so nothing lets IoT assume it.
      resourcePolicy: iam.hasRole(roleArn) ? iam.trustPolicyOf(roleArn) : undefined,
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': accountId },
    });
    if (!trust.allowed) return trust;
    const role = { arn: roleArn, accountId };
    for (const request of requests) {
      const decision = iam.authorize({ principal: role, action: request.action, resource: request.resource });
      if (!decision.allowed) return decision;
    }
    return { allowed: true, reason: `Allowed: ${IOT_SERVICE_PRINCIPAL} may act as ${roleArn} for every call of the template` };
  };
}
