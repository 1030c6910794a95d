import { AssemblyStack, CfnResource, CfnTemplate } from './types';

/** The resources of a template in template order, DependsOn as a list. */
export function resourcesOf(template: CfnTemplate): CfnResource[] {
  return Object.entries(template.Resources ?? {}).map(([logicalId, resource]) => {
    const dependsOn = resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
    return {
      logicalId,
      type: resource.Type,
      properties: resource.Properties ?? {},
      dependsOn,
      ...(resource.Metadata ? { metadata: resource.Metadata } : {}),
      ...(resource.Condition ? { condition: resource.Condition } : {}),
    };
  });
}

export interface UnsupportedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
}

export interface SupportedResourceReport {
  readonly supported: CfnResource[];
  readonly unsupported: UnsupportedResource[];
}

/** Whether `type` is listed; an entry ending in `*` (e.g. `AWS::IAM::*`) matches by prefix. */
function isListed(type: string, supportedTypes: string[]): boolean {
  return supportedTypes.some((entry) => (entry.endsWith('*') ? type.startsWith(entry.slice(0, -1)) : type === entry));
}

/** Splits the resources of all stacks into those the runner can run and the rest (to list once at start-up). */
export function supportedResourceReport(stacks: AssemblyStack[], supportedTypes: string[]): SupportedResourceReport {
  const supported: CfnResource[] = [];
  const unsupported: UnsupportedResource[] = [];
  for (const stack of stacks) {
    for (const resource of resourcesOf(stack.template)) {
      if (isListed(resource.type, supportedTypes)) {
        supported.push(resource);
      } else {
        unsupported.push({ stackName: stack.stackName, logicalId: resource.logicalId, type: resource.type });
      }
    }
  }
  return { supported, unsupported };
}
