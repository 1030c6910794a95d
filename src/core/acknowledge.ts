import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges rule-pack findings (cdk-nag) on a scope and its subtree, each
 * with its reason. `findings` runs at validation time, when the ids (which
 * name resolved ARNs and logical ids) are known. Written as
 * Validations.acknowledge() records them: that method refuses ids with two
 * '::', and every ARN finding (arn:<AWS::Partition>:...) has two.
 */
export function acknowledgeFindings(scope: IConstruct, findings: () => Record<string, string>): void {
  scope.node.addValidation({
    validate: () => {
      scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, findings());
      return [];
    },
  });
}

/** How rule packs spell a resource's ARN attribute: `<LogicalId.Arn>`. */
export function arnReference(resource: IConstruct): string {
  const stack = Stack.of(resource);
  return `<${stack.getLogicalId(resource.node.defaultChild as any)}.Arn>`;
}
