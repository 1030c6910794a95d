import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** The custom resource's properties, as the FleetProvision construct sets them. */
export interface ClaimProperties {
  /** The IoT policy that lets a claim certificate reach the provisioning topics. */
  readonly claimPolicyName: string;
  /** The fleet provisioning template the claim is for (logged only). */
  readonly templateName?: string;
}

export type ClaimResourceRequest =
  | { readonly requestType: 'Create'; readonly properties: ClaimProperties }
  | { readonly requestType: 'Update'; readonly physicalResourceId: string; readonly properties: ClaimProperties; readonly oldProperties: Partial<ClaimProperties> }
  | { readonly requestType: 'Delete'; readonly physicalResourceId: string };

/** AWS IoT's policy name rule (AttachPolicy API reference). */
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** AWS IoT's provisioning template name rule. */
const TEMPLATE_NAME = /^[0-9A-Za-z_-]{1,36}$/;

/**
 * Reads an event as the CDK Provider framework passes it to onEvent. A bad property throws,
 * which fails the deployment step with the message; a Delete needs no properties, so a resource
 * whose properties went bad can still be deleted.
 */
export function parseResourceEvent(event: CloudFormationCustomResourceEvent): ClaimResourceRequest {
  switch (event.RequestType) {
    case 'Create':
      return { requestType: 'Create', properties: claimProperties(event.ResourceProperties) };
    case 'Update':
      return {
        requestType: 'Update',
        physicalResourceId: event.PhysicalResourceId,
        properties: claimProperties(event.ResourceProperties),
        oldProperties: {
          claimPolicyName: stringOrUndefined(event.OldResourceProperties?.ClaimPolicyName),
          templateName: stringOrUndefined(event.OldResourceProperties?.TemplateName),
        },
      };
    case 'Delete':
      return { requestType: 'Delete', physicalResourceId: event.PhysicalResourceId };
    default:
      throw new Error(`unknown RequestType '${String((event as { RequestType?: unknown }).RequestType)}'`);
  }
}

function claimProperties(properties: Record<string, unknown> | undefined): ClaimProperties {
  const claimPolicyName = properties?.ClaimPolicyName;
  if (typeof claimPolicyName !== 'string' || !POLICY_NAME.test(claimPolicyName)) {
    throw new Error('ClaimPolicyName must be an AWS IoT policy name (1-128 characters of letters, digits and _+=,.@-)');
  }
  const templateName = properties?.TemplateName;
  if (templateName !== undefined && (typeof templateName !== 'string' || !TEMPLATE_NAME.test(templateName))) {
    throw new Error('TemplateName must be a provisioning template name (1-36 characters of letters, digits, _ and -)');
  }
  return { claimPolicyName, templateName };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
