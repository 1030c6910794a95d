/**
 * Turns a synthesized stack into resolved resources, as a CloudFormation deployment would see
 * them: every resource gets its physical id and attributes first, then every property's
 * intrinsic functions are resolved against them.
 *
 * Custom resources get theirs from their provider's answer, so what refers to them waits: a
 * StackDeployment resolves everything else at once, and the rest in creation order as the runner
 * creates the custom resources.
 */
import { randomUUID } from 'node:crypto';
import {
  AssemblyStack, CfnResource, creationOrder, isConditionTrue, referencedNames, resolveValue, resourcesOf, ResolutionContext, UnresolvableError,
} from '../assembly';
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

/** `AWS::CloudFormation::CustomResource` or `Custom::<Name>`. */
export function isCustomResourceType(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}

/** What a custom resource's provider answered: `Ref` and `Fn::GetAtt` of the resource from then on. */
export interface CustomResourceOutcome {
  readonly physicalId: string;
  /** The answer's Data, each value a string. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The request's id, which CloudFormation names in an attribute error. */
  readonly requestId: string;
  /** Whether the answer asked for NoEcho: outputs show its attributes as `*****`. */
  readonly noEcho?: boolean;
}

/** A stack's outputs once resolved, and the sentences about those left out. */
export interface DeploymentResult {
  readonly stack: ResolvedStack;
  readonly notRun: readonly string[];
}

const MASKED = '*****';

/** CloudFormation's words when a template asks a custom resource for an attribute its answer's Data lacks. */
export class CustomResourceAttributeError extends Error {
  constructor(attribute: string, object: string) {
    super(`CustomResource attribute error: Vendor response doesn't contain ${attribute} attribute in object ${object}`);
    this.name = 'CustomResourceAttributeError';
  }
}

function parameterDefaults(stack: AssemblyStack): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, parameter] of Object.entries(stack.template.Parameters ?? {})) {
    const fallback = (parameter as { Default?: unknown }).Default;
    if (fallback !== undefined) values.set(name, String(fallback));
  }
  return values;
}

function nameOf(resource: CfnResource): { property?: string; value?: unknown } {
  const property = NAME_PROPERTY[resource.type] ?? IDENTITY_PROPERTY[resource.type];
  return { property, value: property ? resource.properties[property] : undefined };
}

/** One stack's deployment: identities and resolved properties, custom resources' answers as they come. */
export class StackDeployment {
  readonly stackName: string;
  /** What `AWS::StackId` answers and custom resources' requests carry: `arn:...:stack/<name>/<uuid>`. */
  readonly stackId: string;
  readonly skipped: readonly string[];
  /** Resources that refer to no custom resource (nor to a name one decides): resolved now, created first. */
  readonly immediate: readonly ResolvedResource[];
  /** The custom resources and the resources that refer to them, in the order CloudFormation creates them. */
  readonly later: readonly CfnResource[];
  private readonly target: DeploymentTarget;
  private readonly created: readonly CfnResource[];
  private readonly identities = new Map<string, PhysicalIdentity>();
  private readonly resolved = new Map<string, ResolvedResource>();
  private readonly outcomes = new Map<string, CustomResourceOutcome>();
  private readonly abandoned = new Map<string, string>();
  private readonly context: ResolutionContext;

  constructor(readonly stack: AssemblyStack, target: DeploymentTarget) {
    this.stackName = stack.stackName;
    this.target = target;
    const partition = target.partition ?? 'aws';
    this.stackId = `arn:${partition}:cloudformation:${target.region}:${target.accountId}:stack/${stack.stackName}/${randomUUID()}`;
    const parameters = parameterDefaults(stack);
    this.context = {
      accountId: target.accountId,
      region: target.region,
      partition,
      stackName: stack.stackName,
      stackId: this.stackId,
      conditions: stack.template.Conditions as Record<string, unknown> | undefined,
      mappings: stack.template.Mappings,
      ref: (logicalId) => this.identities.get(logicalId)?.physicalId ?? parameters.get(logicalId),
      getAtt: (logicalId, attribute) => this.attribute(logicalId, attribute),
    };
    const all = resourcesOf(stack.template);
    this.created = all.filter((resource) => !resource.condition || isConditionTrue(resource.condition, this.context));
    this.skipped = all.filter((resource) => !this.created.includes(resource)).map((resource) => resource.logicalId);

    const custom = new Set(this.created.filter((resource) => isCustomResourceType(resource.type)).map((resource) => resource.logicalId));
    // Names a custom resource decides (directly or through another such name) are given once it has answered.
    const blocked = new Set(custom);
    for (let grew = true; grew;) {
      grew = false;
      for (const resource of this.created) {
        if (blocked.has(resource.logicalId)) continue;
        if ([...referencedNames(nameOf(resource).value)].some((name) => blocked.has(name))) {
          blocked.add(resource.logicalId);
          grew = true;
        }
      }
    }
    const waits = (resource: CfnResource) => custom.has(resource.logicalId)
      || [...referencedNames(resource.properties)].some((name) => blocked.has(name));
    this.later = custom.size === 0 ? [] : creationOrder(this.created).filter(waits);

    this.nameResources(this.created.filter((resource) => !blocked.has(resource.logicalId)));
    this.immediate = this.created.filter((resource) => !waits(resource)).map((resource) => this.resolveResource(resource));
  }

  /** Whether the resource is a custom resource of this stack. */
  isCustomResource(logicalId: string): boolean {
    return this.later.some((resource) => resource.logicalId === logicalId && isCustomResourceType(resource.type));
  }

  /** The template's DeletionPolicy of a resource (`Delete` when it sets none). */
  deletionPolicy(logicalId: string): string {
    const policy = this.stack.template.Resources?.[logicalId]?.DeletionPolicy;
    return typeof policy === 'string' ? policy : 'Delete';
  }

  /** A resource's resolved properties, now that everything they refer to exists. Throws UnresolvableError otherwise. */
  resolveProperties(logicalId: string): Record<string, unknown> {
    const resource = this.resourceNamed(logicalId);
    return resolveValue(resource.properties, this.context, `${this.stackName}/${logicalId}.Properties`) as Record<string, unknown> ?? {};
  }

  /** Records a custom resource's answer; answers the resource as `Ref` and `Fn::GetAtt` now see it. */
  completeCustomResource(logicalId: string, properties: Record<string, unknown>, outcome: CustomResourceOutcome): ResolvedResource {
    const resource = this.resourceNamed(logicalId);
    this.identities.set(logicalId, { physicalId: outcome.physicalId, attributes: outcome.attributes });
    this.outcomes.set(logicalId, outcome);
    const resolved: ResolvedResource = {
      stackName: this.stackName, logicalId, type: resource.type, physicalId: outcome.physicalId, attributes: outcome.attributes, properties,
    };
    this.resolved.set(logicalId, resolved);
    return resolved;
  }

  /** Resolves a resource that waited for custom resources: its name (when a custom resource decided it too), then its properties. */
  resolveLater(logicalId: string): ResolvedResource {
    const resource = this.resourceNamed(logicalId);
    if (!this.identities.has(logicalId)) this.nameResources([resource], true);
    const resolved = this.resolveResource(resource);
    this.resolved.set(logicalId, resolved);
    return resolved;
  }

  /** Leaves a resource uncreated (a custom resource not run, or one that refers to it); `reason` is a sentence. */
  abandon(logicalId: string, reason: string): void {
    this.abandoned.set(logicalId, reason);
  }

  /**
   * The first resource not created whose value (Ref, GetAtt, Sub) this one needs, if any. A DependsOn
   * alone orders creation and deletion but carries no value, so, as it makes no resource wait, it
   * leaves none uncreated: a custom resource ordered after aws-cdk-lib's auto-delete-objects one (not
   * run here) is still created, and deleted before the resources it depends on.
   */
  abandonedDependency(logicalId: string): string | undefined {
    const resource = this.resourceNamed(logicalId);
    return [...referencedNames(resource.properties)].find((name) => this.abandoned.has(name));
  }

  /** Every created resource resolved so far, in template order. */
  resources(): ResolvedResource[] {
    return this.created.flatMap((resource) => {
      const resolved = this.resolved.get(resource.logicalId) ?? this.immediate.find((candidate) => candidate.logicalId === resource.logicalId);
      return resolved ? [resolved] : [];
    });
  }

  /** The stack as deployed: its resources and outputs (an output that refers to a resource not created is left out, with a sentence). */
  result(): DeploymentResult {
    const notRun: string[] = [];
    // Outputs show a NoEcho answer's attributes masked; properties of other resources get the values.
    const outputContext: ResolutionContext = {
      ...this.context,
      getAtt: (logicalId, attribute) => {
        const value = this.attribute(logicalId, attribute);
        return value !== undefined && this.outcomes.get(logicalId)?.noEcho ? MASKED : value;
      },
    };
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries((this.stack.template.Outputs ?? {}) as Record<string, { Value?: unknown; Condition?: string }>)) {
      if (output.Condition && !isConditionTrue(output.Condition, this.context)) continue;
      const missing = [...referencedNames(output.Value)].find((logicalId) => this.abandoned.has(logicalId));
      if (missing) {
        notRun.push(`${this.stackName}: output ${name} is left out: it refers to ${missing}, which is not created locally`);
        continue;
      }
      try {
        outputs[name] = String(resolveValue(output.Value, outputContext, `Outputs.${name}`));
      } catch (error) {
        throw this.inContext(error, `${this.stackName}: output ${name}`);
      }
    }
    return { stack: { stackName: this.stackName, stack: this.stack, resources: this.resources(), skipped: this.skipped, outputs }, notRun };
  }

  private attribute(logicalId: string, attribute: string): string | undefined {
    const value = this.identities.get(logicalId)?.attributes[attribute];
    const outcome = this.outcomes.get(logicalId);
    if (value === undefined && outcome) throw new CustomResourceAttributeError(attribute, `${this.stackId}|${logicalId}|${outcome.requestId}`);
    return value;
  }

  private resourceNamed(logicalId: string): CfnResource {
    const resource = this.created.find((candidate) => candidate.logicalId === logicalId);
    if (!resource) throw new Error(`no resource ${logicalId} in stack ${this.stackName}`);
    return resource;
  }

  private resolveResource(resource: CfnResource): ResolvedResource {
    const identity = this.identities.get(resource.logicalId)!;
    let properties: Record<string, unknown>;
    try {
      properties = resolveValue(resource.properties, this.context, `${this.stackName}/${resource.logicalId}.Properties`) as Record<string, unknown>;
    } catch (error) {
      throw this.inContext(error, `${this.stackName}/${resource.logicalId} (${resource.type}) CREATE_FAILED`);
    }
    const { physicalId, attributes } = identity;
    return { stackName: this.stackName, logicalId: resource.logicalId, type: resource.type, physicalId, attributes, properties };
  }

  /** A custom resource attribute error, said where it happened (other errors name their path already). */
  private inContext(error: unknown, where: string): unknown {
    if (error instanceof CustomResourceAttributeError) error.message = `${where}: ${error.message}`;
    return error;
  }

  /**
   * Names may refer to other resources' names (a role named after a bucket, say): gives each
   * resource its identity once what its name refers to is known, as CloudFormation's ordering does.
   * `late`: the resource waited for custom resources, so what its name refers to exists now.
   */
  private nameResources(resources: readonly CfnResource[], late = false): void {
    const partition = this.target.partition ?? 'aws';
    let pending = [...resources];
    while (pending.length > 0) {
      const waiting: CfnResource[] = [];
      for (const resource of pending) {
        const { property, value: rawName } = nameOf(resource);
        let explicitName: string | undefined;
        try {
          // A name may resolve to nothing (Fn::If to AWS::NoValue): CloudFormation generates one then.
          const name = rawName === undefined ? undefined : resolveValue(rawName, this.context, `${resource.logicalId}.${property}`);
          explicitName = name === undefined ? undefined : String(name);
        } catch (error) {
          if (error instanceof UnresolvableError && !late) {
            waiting.push(resource);
            continue;
          }
          throw this.inContext(error, `${this.stackName}/${resource.logicalId} (${resource.type}) CREATE_FAILED`);
        }
        this.identities.set(resource.logicalId, physicalIdentity(resource.type, {
          stackName: this.stackName,
          logicalId: resource.logicalId,
          accountId: this.target.accountId,
          region: this.target.region,
          partition,
          explicitName,
          sqsUrlBase: this.target.sqsUrlBase,
        }));
      }
      if (waiting.length === pending.length) {
        throw new Error(`${this.stackName}: cannot name ${waiting.map((resource) => resource.logicalId).join(', ')}: their names refer to each other`);
      }
      pending = waiting;
    }
  }
}

/** Resolves a stack at once: its custom resources (which need their provider to answer) and what refers to them are left out. */
export function resolveStack(stack: AssemblyStack, target: DeploymentTarget): ResolvedStack {
  const deployment = new StackDeployment(stack, target);
  for (const resource of deployment.later) deployment.abandon(resource.logicalId, 'waits for a custom resource');
  return deployment.result().stack;
}
