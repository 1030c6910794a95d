/** Secrets Manager secrets and their resource policies from the resolved template. */
import type { Principal } from '../iam/types';
import { parsePolicy, type LocalSecretsManager } from '../secrets-manager';
import type { ResolvedResource } from '../types';

/**
 * Creates secrets (their first version encrypted as `deployer`, whom CloudFormation acts as), then resource
 * policies; answers sentences for what is not modelled.
 */
export function createSecrets(resources: readonly ResolvedResource[], secrets: LocalSecretsManager, deployer: Principal): string[] {
  const notRun: string[] = [];
  for (const secret of resources.filter((resource) => resource.type === 'AWS::SecretsManager::Secret')) {
    try {
      secrets.createSecretFromResource(secret, deployer);
    } catch (error) {
      throw new Error(`${secret.stackName}/${secret.logicalId} (AWS::SecretsManager::Secret) CREATE_FAILED: ${(error as Error).message}`);
    }
    if (secret.properties.ReplicaRegions) notRun.push(`${secret.stackName}/${secret.logicalId}: replica Regions are not modelled locally`);
  }
  for (const policy of resources.filter((resource) => resource.type === 'AWS::SecretsManager::ResourcePolicy')) {
    secrets.setResourcePolicy(String(policy.properties.SecretId), parsePolicy(policy.properties.ResourcePolicy));
  }
  return notRun;
}
