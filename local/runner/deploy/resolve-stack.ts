/**
 * Turns a synthesized stack into resolved resources, as a CloudFormation deployment would see
 * them: every resource gets its physical id and attributes first, then every property's
 * intrinsic functions are resolved against them.
 */
import { AssemblyStack, isConditionTrue, resolveValue, resourcesOf, ResolutionContext, UnresolvableError } from '../assembly';
import type { ResolvedResource } from '../types';
import { IDENTITY_PROPERTY, NAME_PROPERTY, physicalIdentity, PhysicalIdentity } from './physical-ids';

export interface DeploymentTarget {
  readonly accountId: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Where queue URLs point; see NamingContext.sqsUrlBase. */
  readonly sqsUrlBase?: string;
}

export interface ResolvedStack {
  readonly stackName: string;
  readonly stack: AssemblyStack;
  readonly resources: readonly ResolvedResource[];
  /** Logical ids whose Condition is false: CloudFormation does not create them. */
  readonly skipped: readonly string[];
  /** The template's Outputs, resolved (outputs whose condition is false are left out). */
  readonly outputs: Readonly<Record<string, string>>;
}

function parameterDefaults(stack: AssemblyStack): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, parameter] of Object.entries(stack.template.Parameters ?? {})) {
    const fallback = (parameter as { Default?: unknown }).Default;
    if (fallback !== undefined) values.set(name, String(fallback));
  }
  return values;
}

export function resolveStack(stack: AssemblyStack, target: DeploymentTarget): ResolvedStack {
  const partition = target.partition ?? 'aws';
  const identities = new Map<string, PhysicalIdentity>();
  const parameters = parameterDefaults(stack);
  const context: ResolutionContext = {
    accountId: target.accountId,
    region: target.region,
    partition,
    stackName: stack.stackName,
    conditions: stack.template.Conditions as Record<string, unknown> | undefined,
    mappings: stack.template.Mappings,
    ref: (logicalId) => identities.get(logicalId)?.physicalId ?? parameters.get(logicalId),
    getAtt: (logicalId, attribute) => identities.get(logicalId)?.attributes[attribute],
  };
  const all = resourcesOf(stack.template);
  const created = all.filter((resource) => !resource.condition || isConditionTrue(resource.condition, context));
  const skipped = all.filter((resource) => !created.includes(resource)).map((resource) => resource.logicalId);

  // Names may refer to other resources' names (a role named after a bucket, say): give each
  // resource its identity once what its name refers to is known, as CloudFormation's ordering does.
  let pending = [...created];
  while (pending.length > 0) {
    const waiting: typeof pending = [];
    for (const resource of pending) {
      const nameProperty = NAME_PROPERTY[resource.type] ?? IDENTITY_PROPERTY[resource.type];
      const rawName = nameProperty ? resource.properties[nameProperty] : undefined;
      let explicitName: string | undefined;
      try {
        // A name may resolve to nothing (Fn::If to AWS::NoValue): CloudFormation generates one then.
        const name = rawName === undefined ? undefined : resolveValue(rawName, context, `${resource.logicalId}.${nameProperty}`);
        explicitName = name === undefined ? undefined : String(name);
      } catch (error) {
        if (error instanceof UnresolvableError) {
          waiting.push(resource);
          continue;
        }
        throw error;
      }
      identities.set(resource.logicalId, physicalIdentity(resource.type, {
        stackName: stack.stackName,
        logicalId: resource.logicalId,
        accountId: target.accountId,
        region: target.region,
        partition,
        explicitName,
        sqsUrlBase: target.sqsUrlBase,
      }));
    }
    if (waiting.length === pending.length) {
      throw new Error(`${stack.stackName}: cannot name ${waiting.map((resource) => resource.logicalId).join(', ')}: their names refer to each other`);
    }
    pending = waiting;
  }

  const resources = created.map((resource): ResolvedResource => {
    const identity = identities.get(resource.logicalId)!;
    return {
      stackName: stack.stackName,
      logicalId: resource.logicalId,
      type: resource.type,
      physicalId: identity.physicalId,
      attributes: identity.attributes,
      properties: resolveValue(resource.properties, context, `${stack.stackName}/${resource.logicalId}.Properties`) as Record<string, unknown>,
    };
  });
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries((stack.template.Outputs ?? {}) as Record<string, { Value?: unknown; Condition?: string }>)) {
    if (output.Condition && !isConditionTrue(output.Condition, context)) continue;
    outputs[name] = String(resolveValue(output.Value, context, `Outputs.${name}`));
  }
  return { stackName: stack.stackName, stack, resources, skipped, outputs };
}
