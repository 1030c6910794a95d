/** The Secrets Manager API operations the local service answers, from awsJson1_1 input to output shapes. */
import { SecretsManagerError } from './errors';
import type { LocalSecretsManager, Tag } from './local-secrets-manager';
import { randomPassword, type PasswordOptions } from './password';
import type { Principal } from '../iam/types';

type Json = Record<string, unknown>;
export type SecretsManagerOperation = (secrets: LocalSecretsManager, principal: Principal, input: Json) => Json;

function requiredString(input: Json, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') throw new SecretsManagerError('InvalidParameterException', `${name} is required.`);
  return value;
}

function optionalString(input: Json, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SecretsManagerError('InvalidParameterException', `${name} must be a string.`);
  return value;
}

/** awsJson1_1 sends blobs base64. */
function optionalBlob(input: Json, name: string): Buffer | undefined {
  const value = optionalString(input, name);
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}

/** awsJson timestamps are epoch seconds. */
function seconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}

/** Drops undefined members, so absent fields stay absent on the wire. */
function defined(output: Json): Json {
  return Object.fromEntries(Object.entries(output).filter(([, value]) => value !== undefined));
}

export const SECRETS_MANAGER_OPERATIONS: Readonly<Record<string, SecretsManagerOperation>> = {
  CreateSecret: (secrets, principal, input) => {
    const created = secrets.createSecret(principal, {
      name: requiredString(input, 'Name'),
      description: optionalString(input, 'Description'),
      kmsKeyId: optionalString(input, 'KmsKeyId'),
      secretString: optionalString(input, 'SecretString'),
      secretBinary: optionalBlob(input, 'SecretBinary'),
      clientRequestToken: optionalString(input, 'ClientRequestToken'),
      tags: Array.isArray(input.Tags) ? (input.Tags as Tag[]) : undefined,
    });
    return defined({ ARN: created.arn, Name: created.name, VersionId: created.versionId });
  },
  GetSecretValue: (secrets, principal, input) => {
    const value = secrets.getSecretValue(principal, requiredString(input, 'SecretId'), {
      versionId: optionalString(input, 'VersionId'),
      versionStage: optionalString(input, 'VersionStage'),
    });
    return defined({
      ARN: value.arn,
      Name: value.name,
      VersionId: value.versionId,
      SecretString: value.secretString,
      SecretBinary: value.secretBinary?.toString('base64'),
      VersionStages: value.versionStages,
      CreatedDate: seconds(value.createdDate),
    });
  },
  DescribeSecret: (secrets, principal, input) => {
    const secret = secrets.describeSecret(principal, requiredString(input, 'SecretId'));
    return defined({
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      KmsKeyId: secret.kmsKeyId,
      RotationEnabled: false,
      LastChangedDate: seconds(secret.lastChangedDate),
      LastAccessedDate: seconds(secret.lastAccessedDate),
      Tags: secret.tags.length > 0 ? secret.tags : undefined,
      VersionIdsToStages: secret.versionIdsToStages,
      CreatedDate: seconds(secret.createdDate),
    });
  },
  PutSecretValue: (secrets, principal, input) => {
    const stages = input.VersionStages;
    if (stages !== undefined && (!Array.isArray(stages) || stages.some((stage) => typeof stage !== 'string'))) {
      throw new SecretsManagerError('InvalidParameterException', 'VersionStages must be a list of strings.');
    }
    const put = secrets.putSecretValue(principal, {
      secretId: requiredString(input, 'SecretId'),
      secretString: optionalString(input, 'SecretString'),
      secretBinary: optionalBlob(input, 'SecretBinary'),
      clientRequestToken: optionalString(input, 'ClientRequestToken'),
      versionStages: stages as string[] | undefined,
    });
    return { ARN: put.arn, Name: put.name, VersionId: put.versionId, VersionStages: put.versionStages };
  },
  GetResourcePolicy: (secrets, principal, input) => {
    const found = secrets.getResourcePolicy(principal, requiredString(input, 'SecretId'));
    return defined({ ARN: found.arn, Name: found.name, ResourcePolicy: found.policy && JSON.stringify(found.policy) });
  },
  PutResourcePolicy: (secrets, principal, input) => {
    const put = secrets.putResourcePolicy(principal, requiredString(input, 'SecretId'), requiredString(input, 'ResourcePolicy'));
    return { ARN: put.arn, Name: put.name };
  },
  GetRandomPassword: (secrets, principal, input) => {
    secrets.authorizeAction(principal, 'secretsmanager:GetRandomPassword', '*');
    return { RandomPassword: randomPassword(input as PasswordOptions) };
  },
};
