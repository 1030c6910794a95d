import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { JustInTimeRegistration, JustInTimeRegistrationProps } from '../../src';

/** A stack with one JustInTimeRegistration and an inline verifier named 'allowList'. */
export function jitrStack(props: Partial<JustInTimeRegistrationProps> | ((stack: Stack) => Partial<JustInTimeRegistrationProps>) = {}) {
  const app = new App();
  const stack = new Stack(app, 'JitrTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const verifier = new lambda.Function(stack, 'AllowListVerifier', {
    code: lambda.Code.fromInline('exports.handler = async () => ({ verified: true });'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
  });
  const extra = typeof props === 'function' ? props(stack) : props;
  const jitr = new JustInTimeRegistration(stack, 'Jitr', { verifiers: { allowList: verifier }, ...extra });
  return { app, stack, jitr, verifier, template: () => Template.fromStack(stack) };
}

/** Every statement of every IAM policy attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(template: Template, rolePrefix: string): Array<Record<string, any>> {
  const policies = template.findResources('AWS::IAM::Policy');
  const statements: Array<Record<string, any>> = [];
  for (const policy of Object.values(policies)) {
    const roles: Array<{ Ref: string }> = policy.Properties.Roles;
    if (roles.some((role) => role.Ref.startsWith(rolePrefix))) {
      statements.push(...policy.Properties.PolicyDocument.Statement);
    }
  }
  return statements;
}

export function actionsOf(statement: Record<string, any>): string[] {
  return ([] as string[]).concat(statement.Action);
}
