import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Attaches a small, single-purpose policy to a role. When its resources need a
 * wildcard (ids that AWS IoT or S3 assign at run time), each resulting cdk-nag
 * IAM5 finding of this policy is acknowledged with the reason; a wildcard
 * anywhere else is still reported.
 */
export function attachRolePolicy(
  scope: Construct,
  id: string,
  role: iam.IRole,
  statements: iam.PolicyStatement[],
  wildcardReason?: string,
): iam.Policy {
  const policy = new iam.Policy(scope, id, { statements });
  role.attachInlinePolicy(policy);
  if (wildcardReason) {
    // Finding ids name the resolved ARN, so they are known only once tokens
    // resolve: validation runs after construction and before rule packs.
    policy.node.addValidation({
      validate: () => {
        const acknowledged: Record<string, string> = {};
        for (const resource of wildcardResources(policy, statements)) {
          acknowledged[`AwsSolutions-IAM5[Resource::${resource}]`] = wildcardReason;
        }
        // Written as Validations.acknowledge() records it: that method refuses ids
        // with more than one '::', and every ARN finding (arn:<AWS::Partition>:...) has two.
        if (Object.keys(acknowledged).length > 0) {
          policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
        }
        return [];
      },
    });
  }
  return policy;
}

/** The policy's wildcard resources, spelled the way rule packs name them ({Ref: X} as <X>, GetAtt as <X.Attr>). */
function wildcardResources(scope: Construct, statements: iam.PolicyStatement[]): string[] {
  const resolved = statements.flatMap((statement) => ([] as unknown[]).concat(Stack.of(scope).resolve(statement.toStatementJson()).Resource ?? []));
  return [...new Set(resolved.map(flattenReference).filter((resource) => resource.includes('*')))];
}

function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, any>;
  if (value['Fn::Join']) {
    const [delimiter, parts] = value['Fn::Join'];
    return (parts as unknown[]).map(flattenReference).join(delimiter);
  }
  if (value['Fn::Sub']) return flattenReference(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flattenReference(value['Fn::ImportValue']);
  if (value.Ref) return `<${flattenReference(value.Ref)}>`;
  return JSON.stringify(node);
}
