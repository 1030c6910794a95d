/**
 * Which resources a template value refers to, and the order CloudFormation creates resources in:
 * a resource comes after everything it refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub` variables) and
 * everything its `DependsOn` names.
 */
import type { CfnResource } from './types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `${Name}` and `${Name.Attribute}` variables of a Fn::Sub string, less those its own map defines and `${!Literal}`s. */
function subVariables(text: string, defined: ReadonlySet<string>): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const expression = match[1].trim();
    if (expression.startsWith('!') || defined.has(expression)) continue;
    names.push(expression.includes('.') ? expression.slice(0, expression.indexOf('.')) : expression);
  }
  return names;
}

function collect(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
    return;
  }
  if (!isRecord(value)) return;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const argument = value[keys[0]];
    switch (keys[0]) {
      case 'Ref':
        if (typeof argument === 'string') into.add(argument);
        return;
      case 'Fn::GetAtt':
        if (typeof argument === 'string') into.add(argument.split('.')[0]);
        else if (Array.isArray(argument) && typeof argument[0] === 'string') into.add(argument[0]);
        if (Array.isArray(argument)) collect(argument.slice(1), into);
        return;
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
        const defined = new Set(isRecord(variables) ? Object.keys(variables) : []);
        if (typeof text === 'string') for (const name of subVariables(text, defined)) into.add(name);
        collect(variables, into);
        return;
      }
      default:
        break;
    }
  }
  for (const item of Object.values(value)) collect(item, into);
}

/** The logical ids (and parameter names) `value` refers to; pseudo parameters (`AWS::...`) left out. */
export function referencedNames(value: unknown): Set<string> {
  const names = new Set<string>();
  collect(value, names);
  for (const name of names) if (name.startsWith('AWS::')) names.delete(name);
  return names;
}

/** What each resource waits for: the resources among `resources` it refers to or names in DependsOn. */
export function dependenciesOf(resources: readonly CfnResource[]): Map<string, Set<string>> {
  const known = new Set(resources.map((resource) => resource.logicalId));
  return new Map(resources.map((resource) => {
    const names = referencedNames(resource.properties);
    for (const dependency of resource.dependsOn) names.add(dependency);
    return [resource.logicalId, new Set([...names].filter((name) => known.has(name) && name !== resource.logicalId))];
  }));
}

/**
 * The resources in an order CloudFormation may create them in: each after what it depends on,
 * template order among those that are free. A cycle is refused as CloudFormation refuses the template.
 */
export function creationOrder(resources: readonly CfnResource[]): CfnResource[] {
  const dependencies = dependenciesOf(resources);
  const ordered: CfnResource[] = [];
  const done = new Set<string>();
  let pending = [...resources];
  while (pending.length > 0) {
    const next = pending.find((resource) => [...dependencies.get(resource.logicalId)!].every((name) => done.has(name)));
    if (!next) {
      throw new Error(`Circular dependency between resources: [${pending.map((resource) => resource.logicalId).join(', ')}]`);
    }
    ordered.push(next);
    done.add(next.logicalId);
    pending = pending.filter((resource) => resource !== next);
  }
  return ordered;
}
