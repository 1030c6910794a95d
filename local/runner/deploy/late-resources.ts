/**
 * Resources that refer to a custom resource are created after it, as CloudFormation orders them.
 * The runner creates most resource kinds together before any custom resource runs, so only the
 * kinds below can wait; any other kind that refers to a custom resource stops start-up, saying so.
 */
import type { IotModel } from '../../iot';
import type { AssemblyStack } from '../assembly';
import type { LocalIam } from '../iam';
import type { Principal } from '../iam/types';
import type { LocalKms } from '../kms';
import type { LocalFunctions } from '../lambda';
import type { LocalS3 } from '../s3';
import type { LocalSecretsManager } from '../secrets-manager';
import type { ResolvedResource } from '../types';
import { functionDefinition } from './functions-from-template';
import { loadIamFromTemplate } from './iam-from-template';
import { createIotRegistryResources } from './iot-from-template';
import { RUN_TYPES } from './not-run';
import { createSecrets } from './secrets-from-template';
import { createStorage } from './storage-from-template';

export interface LateResourceServices {
  readonly iam: LocalIam;
  readonly kms: LocalKms;
  readonly s3: LocalS3;
  readonly secrets: LocalSecretsManager;
  /** Whom CloudFormation acts as (secrets are encrypted with its KMS permissions). */
  readonly deployer: Principal;
  readonly functions: LocalFunctions;
  readonly iot: IotModel;
  /** Where inline function code is written out. */
  readonly inlineCodeRoot: string;
}

/** The kinds that may wait for a custom resource. */
export const LATE_TYPES: readonly string[] = [
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::Lambda::Function',
  'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key', 'AWS::KMS::Alias',
  'AWS::SecretsManager::Secret', 'AWS::SecretsManager::ResourcePolicy',
  'AWS::IoT::Policy', 'AWS::IoT::ProvisioningTemplate', 'AWS::IoT::CACertificate', 'AWS::IoT::ThingType',
];

/**
 * Creates one resource that waited for a custom resource. `known`: every resource created so far
 * (roles, managed policies and Lambda permissions are looked up among them). Answers sentences
 * for what is not run; throws for a kind that cannot wait. Kinds the runner never runs are left
 * alone: they are listed at start-up already.
 */
export async function createLateResource(
  stack: AssemblyStack, resource: ResolvedResource, known: readonly ResolvedResource[], services: LateResourceServices,
): Promise<string[]> {
  switch (resource.type) {
    case 'AWS::IAM::Role':
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return loadIamFromTemplate(services.iam, [resource], known);
    case 'AWS::Lambda::Function':
      services.functions.add(functionDefinition(stack, resource, known, services.iam, services.inlineCodeRoot));
      return [];
    case 'AWS::S3::Bucket':
    case 'AWS::S3::BucketPolicy':
    case 'AWS::KMS::Key':
    case 'AWS::KMS::Alias':
      return createStorage([resource], services.kms, services.s3);
    case 'AWS::SecretsManager::Secret':
    case 'AWS::SecretsManager::ResourcePolicy':
      return createSecrets([resource], services.secrets, services.deployer);
    case 'AWS::IoT::Policy':
    case 'AWS::IoT::ProvisioningTemplate':
    case 'AWS::IoT::CACertificate':
    case 'AWS::IoT::ThingType':
      await createIotRegistryResources(services.iot, [resource]);
      return [];
    default:
      if (RUN_TYPES.includes(resource.type)) {
        throw new Error(`${resource.stackName}/${resource.logicalId}: a ${resource.type} that refers to a custom resource is not supported locally `
          + `(the runner creates them before custom resources run; only ${LATE_TYPES.join(', ')} can wait for one)`);
      }
      return [];
  }
}
