/**
 * AWS IoT resources that live in the registry (policies, provisioning templates, CA
 * certificates, thing types) created in the local control plane as CloudFormation would create them.
 */
import { IotServiceError, type IotModel } from '../../iot';
import type { ResolvedResource } from '../types';

function json(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** CloudFormation's `Tags` ([{Key, Value}]) in the SDK's shape. */
function tags(value: unknown): { Key: string; Value: string }[] | undefined {
  return Array.isArray(value) ? value.map((tag: Record<string, unknown>) => ({ Key: String(tag.Key), Value: String(tag.Value) })) : undefined;
}

/**
 * A registry kept from an earlier run (the local cloud's state directory) may hold a resource with
 * an explicit name already: it is the same deployment's, so it stays as it is.
 */
async function unlessKept(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof IotServiceError && error.name === 'ResourceAlreadyExistsException')) throw error;
  }
}

/** Creates them in template order; answers what the runner learned (a CA's id, for its Ref). */
export async function createIotRegistryResources(model: IotModel, resources: readonly ResolvedResource[]): Promise<Map<string, string>> {
  const caIds = new Map<string, string>();
  for (const resource of resources) {
    const properties = resource.properties as Record<string, any>;
    switch (resource.type) {
      case 'AWS::IoT::Policy':
        await unlessKept(() => model.createPolicy({ policyName: resource.physicalId, policyDocument: json(properties.PolicyDocument) }));
        break;
      case 'AWS::IoT::ProvisioningTemplate':
        await unlessKept(() => model.createProvisioningTemplate({
          templateName: resource.physicalId,
          templateBody: json(properties.TemplateBody),
          provisioningRoleArn: properties.ProvisioningRoleArn,
          enabled: properties.Enabled === true || properties.Enabled === 'true',
          ...(properties.TemplateType ? { type: properties.TemplateType } : {}),
          ...(properties.Description ? { description: properties.Description } : {}),
          ...(properties.PreProvisioningHook ? {
            preProvisioningHook: {
              targetArn: properties.PreProvisioningHook.TargetArn,
              payloadVersion: properties.PreProvisioningHook.PayloadVersion,
            },
          } : {}),
        }));
        break;
      case 'AWS::IoT::CACertificate': {
        // Its physical id is the certificate's id: a kept registry that has it has it registered already.
        if (model.caCertificate(resource.physicalId)) {
          caIds.set(resource.logicalId, resource.physicalId);
          break;
        }
        const registered = await model.registerCACertificate({
          caCertificate: properties.CACertificatePem,
          verificationCertificate: properties.VerificationCertificatePem,
          setAsActive: properties.Status === 'ACTIVE',
          allowAutoRegistration: properties.AutoRegistrationStatus === 'ENABLE',
          ...(properties.CertificateMode ? { certificateMode: properties.CertificateMode } : {}),
          ...(properties.RegistrationConfig ? {
            registrationConfig: {
              templateBody: properties.RegistrationConfig.TemplateBody,
              roleArn: properties.RegistrationConfig.RoleArn,
              templateName: properties.RegistrationConfig.TemplateName,
            },
          } : {}),
        });
        caIds.set(resource.logicalId, registered.certificateId!);
        break;
      }
      case 'AWS::IoT::ThingType': {
        const typeProperties = properties.ThingTypeProperties ?? {};
        await model.createThingTypeWithId({
          thingTypeName: resource.physicalId,
          thingTypeProperties: {
            ...(typeProperties.ThingTypeDescription !== undefined ? { thingTypeDescription: String(typeProperties.ThingTypeDescription) } : {}),
            ...(Array.isArray(typeProperties.SearchableAttributes) ? { searchableAttributes: typeProperties.SearchableAttributes.map(String) } : {}),
          },
          ...(tags(properties.Tags) ? { tags: tags(properties.Tags) } : {}),
        }, resource.attributes.Id);
        break;
      }
      default:
        break;
    }
  }
  return caIds;
}

/** Sentences for what the registry does not model of these resources. */
export function iotRegistryNotRun(resources: readonly ResolvedResource[]): string[] {
  return resources
    .filter((resource) => resource.type === 'AWS::IoT::ThingType')
    .filter((resource) => resource.properties.DeprecateThingType === true || resource.properties.DeprecateThingType === 'true')
    .map((resource) => `${resource.stackName}/${resource.logicalId}: DeprecateThingType is not modelled locally (the thing type stays usable)`);
}
