/** `@aws-sdk/client-secrets-manager` pointed at a local endpoint, called by operation name so tests read like the API reference. */
import * as sm from '@aws-sdk/client-secrets-manager';
import type { LocalCredentials } from '../../../../local/runner/iam';

const COMMANDS: Record<string, new (input: any) => any> = {
  CreateSecret: sm.CreateSecretCommand,
  GetSecretValue: sm.GetSecretValueCommand,
  DescribeSecret: sm.DescribeSecretCommand,
  PutSecretValue: sm.PutSecretValueCommand,
  GetResourcePolicy: sm.GetResourcePolicyCommand,
  PutResourcePolicy: sm.PutResourcePolicyCommand,
  GetRandomPassword: sm.GetRandomPasswordCommand,
  RotateSecret: sm.RotateSecretCommand,
};

export function secretsClient(endpoint: string, credentials: LocalCredentials, region = 'us-east-1') {
  const client = new sm.SecretsManagerClient({ endpoint, region, credentials, maxAttempts: 1 });
  return async (operation: string, input: Record<string, unknown>): Promise<Record<string, any>> => client.send(new COMMANDS[operation](input));
}
