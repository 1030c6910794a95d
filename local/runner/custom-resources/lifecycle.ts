/**
 * The part of a stack deployment that custom resources decide, once everything else is up: each
 * custom resource (and each resource that refers to one) in creation order, a failed Create rolling
 * back the custom resources already created; and deleting them with the stack, in reverse order.
 */
import type { LateResourceServices } from '../deploy/late-resources';
import { createLateResource } from '../deploy/late-resources';
import type { DeploymentResult, StackDeployment } from '../deploy/resolve-stack';
import type { LocalFunctionInvoker } from '../lambda/types';
import type { ResolvedResource } from '../types';
import { CustomResourceFailure, type CreatedCustomResource, type CustomResources } from './custom-resources';
import { providerFrameworkOf } from './provider-framework';

export interface LaterResourcesOptions {
  readonly deployments: readonly StackDeployment[];
  readonly customResources: CustomResources;
  readonly functions: LocalFunctionInvoker;
  readonly services: LateResourceServices;
  /** Every resource of the stacks created so far (the runner's list, which this adds to). */
  readonly created: ResolvedResource[];
}

export interface LaterResourcesResult {
  /** The custom resources created, in creation order. */
  readonly customResources: CreatedCustomResource[];
  /** Sentences for what is not run (custom resources outside the Provider framework, what refers to them, outputs left out). */
  readonly notRun: string[];
  /** Each stack as deployed, outputs resolved, in the order of `deployments`. */
  readonly stacks: DeploymentResult[];
}

/** A custom resource Delete on stack deletion: done, kept by its DeletionPolicy, or failed with CloudFormation's reason. */
export interface CustomResourceDeletion {
  readonly stackName: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly physicalId: string;
}

export interface StackDeletionReport {
  /** Deleted, in the order the Delete requests went out. */
  readonly deleted: readonly CustomResourceDeletion[];
  /** Kept: DeletionPolicy Retain or RetainExceptOnCreate. */
  readonly retained: readonly CustomResourceDeletion[];
  /** DELETE_FAILED, with the reason CloudFormation shows. A later deleteStacks() tries them again. */
  readonly failed: readonly (CustomResourceDeletion & { readonly reason: string })[];
}

function describe(resource: CreatedCustomResource): CustomResourceDeletion {
  return { stackName: resource.stackName, logicalId: resource.logicalId, resourceType: resource.resourceType, physicalId: resource.physicalId };
}

/**
 * Creates the custom resources and what waits for them. A failure stops there: the custom resources
 * already created get Delete (CloudFormation's rollback; DeletionPolicy Retain keeps them), and the
 * failure is thrown, naming the stack, the resource and the reason.
 */
export async function createLaterResources(options: LaterResourcesOptions): Promise<LaterResourcesResult> {
  const created: CreatedCustomResource[] = [];
  const notRun: string[] = [];
  let stacks: DeploymentResult[];
  try {
    for (const deployment of options.deployments) {
      for (const resource of deployment.later) {
        const where = `${deployment.stackName}/${resource.logicalId}`;
        const missing = deployment.abandonedDependency(resource.logicalId);
        if (missing) {
          deployment.abandon(resource.logicalId, `refers to ${missing}`);
          notRun.push(`${where}: ${resource.type} is not created locally: it refers to ${missing}, which is not created`);
          continue;
        }
        if (!deployment.isCustomResource(resource.logicalId)) {
          const resolved = deployment.resolveLater(resource.logicalId);
          options.created.push(resolved);
          notRun.push(...await createLateResource(deployment.stack, resolved, options.created, options.services));
          continue;
        }
        const properties = deployment.resolveProperties(resource.logicalId);
        const target = providerFrameworkOf(String(properties.ServiceToken), options.functions, options.created);
        if ('notRun' in target) {
          deployment.abandon(resource.logicalId, target.notRun);
          notRun.push(`${where}: ${resource.type} is not run locally: ${target.notRun}`);
          continue;
        }
        const customResource = await options.customResources.create({
          stackName: deployment.stackName, stackId: deployment.stackId, logicalId: resource.logicalId, resourceType: resource.type, properties,
        }, target.provider);
        created.push(customResource);
        const { physicalId, attributes, requestId, noEcho } = customResource;
        options.created.push(deployment.completeCustomResource(resource.logicalId, properties, { physicalId, attributes, requestId, noEcho }));
      }
    }
    // Outputs too may ask a custom resource for an attribute its answer lacks.
    stacks = options.deployments.map((deployment) => deployment.result());
  } catch (error) {
    throw await rolledBack(error as Error, created, options);
  }
  notRun.push(...frameworkSentences(created, options.created), ...stacks.flatMap((stack) => stack.notRun));
  return { customResources: created, notRun, stacks };
}

/** One sentence per Provider whose custom resources ran: its framework function is stood in for, not run. */
function frameworkSentences(created: readonly CreatedCustomResource[], resources: readonly ResolvedResource[]): string[] {
  const arns = [...new Set(created.map((resource) => resource.provider.frameworkFunction.functionArn))];
  return arns.map((arn) => {
    const fn = resources.find((resource) => resource.type === 'AWS::Lambda::Function' && resource.attributes.Arn === arn);
    const where = fn ? `${fn.stackName}/${fn.logicalId}` : arn;
    return `${where}: the CDK Provider framework's onEvent function is not run (it would answer CloudFormation with HTTPS to a presigned S3 URL): `
      + 'the runner sends the custom resource requests to the user\'s onEvent function itself and polls its isComplete on the waiter\'s schedule';
  });
}

/** Deletes the custom resources created before a failure (RetainExceptOnCreate ones too); the failure gains a line about it. */
async function rolledBack(failure: Error, created: readonly CreatedCustomResource[], options: LaterResourcesOptions): Promise<Error> {
  const policyOf = (resource: CreatedCustomResource) =>
    options.deployments.find((deployment) => deployment.stackName === resource.stackName)?.deletionPolicy(resource.logicalId) ?? 'Delete';
  const lines: string[] = [];
  for (const resource of [...created].reverse()) {
    if (policyOf(resource) === 'Retain') continue;
    try {
      await options.customResources.delete(resource);
      lines.push(`rolled back: ${resource.stackName}/${resource.logicalId} deleted`);
    } catch (error) {
      lines.push(`rollback: ${error instanceof CustomResourceFailure ? error.message : (error as Error).message}`);
    }
  }
  if (lines.length === 0) return failure;
  failure.message = [failure.message, ...lines].join('\n');
  return failure;
}

/**
 * Deletes the custom resources as a stack deletion does: in reverse creation order, DeletionPolicy
 * Retain and RetainExceptOnCreate kept, a failure reported and the others deleted anyway.
 * `remaining` is the runner's list of live custom resources: deleted ones leave it.
 */
export async function deleteCustomResources(
  remaining: CreatedCustomResource[], deployments: readonly StackDeployment[], customResources: CustomResources,
): Promise<StackDeletionReport> {
  const deleted: CustomResourceDeletion[] = [];
  const retained: CustomResourceDeletion[] = [];
  const failed: (CustomResourceDeletion & { reason: string })[] = [];
  for (const resource of [...remaining].reverse()) {
    const policy = deployments.find((deployment) => deployment.stackName === resource.stackName)?.deletionPolicy(resource.logicalId) ?? 'Delete';
    if (policy === 'Retain' || policy === 'RetainExceptOnCreate') {
      retained.push(describe(resource));
      remaining.splice(remaining.indexOf(resource), 1);
      continue;
    }
    try {
      await customResources.delete(resource);
      deleted.push(describe(resource));
      remaining.splice(remaining.indexOf(resource), 1);
    } catch (error) {
      failed.push({ ...describe(resource), reason: error instanceof CustomResourceFailure ? error.statusReason : (error as Error).message });
    }
  }
  return { deleted, retained, failed };
}
