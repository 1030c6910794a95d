/** AWS::KMS::Alias: the alias names its key for KMS callers, and Ref answers the alias name, as CloudFormation does. */
import { physicalIdentity } from '../../../../local/runner/deploy/physical-ids';
import { createStorage } from '../../../../local/runner/deploy/storage-from-template';
import { LocalIam } from '../../../../local/runner/iam';
import { LocalKms } from '../../../../local/runner/kms';
import { LocalS3 } from '../../../../local/runner/s3';
import type { ResolvedResource } from '../../../../local/runner/types';

const target = { accountId: '123456789012', region: 'eu-west-1', partition: 'aws' };

function resource(type: string, logicalId: string, properties: Record<string, unknown>, explicitName?: string): ResolvedResource {
  const identity = physicalIdentity(type, { stackName: 'KeyStack', logicalId, ...target, explicitName });
  return { stackName: 'KeyStack', logicalId, type, ...identity, properties };
}

test('an alias in the template reaches its key, and its Ref is the alias name', () => {
  const kms = new LocalKms({ accessControl: new LocalIam(target), region: target.region, accountId: target.accountId });
  const key = resource('AWS::KMS::Key', 'VaultKey', {});
  const alias = resource('AWS::KMS::Alias', 'VaultKeyAlias', { AliasName: 'alias/vault', TargetKeyId: key.attributes.Arn }, 'alias/vault');
  const notRun = createStorage([key, alias], kms, new LocalS3({ region: target.region }));
  expect(notRun).toEqual([]);
  expect(alias.physicalId).toBe('alias/vault');
  expect(kms.keyArnOf('alias/vault')).toBe(key.attributes.Arn);
  expect(kms.keyArnOf('alias/other')).toBeUndefined();
});
