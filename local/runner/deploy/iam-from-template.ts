/**
 * Roles and their policies from the resolved template into the local IAM: trust policies, inline
 * role policies, AWS::IAM::Policy and AWS::IAM::ManagedPolicy attached by role name, AWS managed
 * policies by ARN.
 */
import type { LocalIam } from '../iam';
import type { PolicyDocument } from '../iam/types';
import type { ResolvedResource } from '../types';
import { managedPolicyDocument } from './managed-policies';

/**
 * Attaches every role's policies; answers the sentences to list as not run locally. `known`: the
 * resources roles and managed policies are looked up among (default `resources`; the runner gives
 * every resource created so far when it loads one that waited for a custom resource).
 */
export function loadIamFromTemplate(iam: LocalIam, resources: readonly ResolvedResource[], known: readonly ResolvedResource[] = resources): string[] {
  const notRun: string[] = [];
  const roleArnByName = new Map<string, string>();
  for (const role of [...known, ...resources].filter((resource) => resource.type === 'AWS::IAM::Role')) roleArnByName.set(role.physicalId, role.attributes.Arn);
  for (const role of resources.filter((resource) => resource.type === 'AWS::IAM::Role')) {
    const roleArn = role.attributes.Arn;
    iam.addRole(roleArn);
    const trust = role.properties.AssumeRolePolicyDocument;
    // CloudFormation takes the document as JSON or as a JSON string.
    if (trust) iam.setTrustPolicy(roleArn, (typeof trust === 'string' ? JSON.parse(trust) : trust) as PolicyDocument);
    for (const inline of (role.properties.Policies ?? []) as { PolicyDocument: PolicyDocument }[]) {
      iam.attachRolePolicy(roleArn, inline.PolicyDocument);
    }
    for (const managedArn of (role.properties.ManagedPolicyArns ?? []) as string[]) {
      const document = managedPolicyDocument(managedArn)
        ?? [...known, ...resources].find((resource) => resource.type === 'AWS::IAM::ManagedPolicy' && resource.physicalId === managedArn)?.properties.PolicyDocument;
      if (document) iam.attachRolePolicy(roleArn, document as PolicyDocument);
      else notRun.push(`${role.stackName}/${role.logicalId}: managed policy ${managedArn} is not known locally, so it grants nothing here`);
    }
  }
  for (const policy of resources.filter((resource) => resource.type === 'AWS::IAM::Policy' || resource.type === 'AWS::IAM::ManagedPolicy')) {
    for (const roleName of (policy.properties.Roles ?? []) as string[]) {
      const roleArn = roleArnByName.get(roleName) ?? (roleName.startsWith('arn:') ? roleName : undefined);
      if (!roleArn) {
        notRun.push(`${policy.stackName}/${policy.logicalId}: role ${roleName} is not in the stack, so the policy is attached to nothing`);
        continue;
      }
      iam.attachRolePolicy(roleArn, policy.properties.PolicyDocument as PolicyDocument);
    }
    const users = (policy.properties.Users ?? []) as string[];
    const groups = (policy.properties.Groups ?? []) as string[];
    if (users.length > 0 || groups.length > 0) {
      notRun.push(`${policy.stackName}/${policy.logicalId}: policies for IAM users and groups are not attached locally (roles only)`);
    }
  }
  return notRun;
}
