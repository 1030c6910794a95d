/**
 * AWS IoT resources that live in the registry (policies, provisioning templates, CA
 * certificates) created in the local control plane as CloudFormation would create them.
 */
import type { IotModel } from '../../iot';
import type { ResolvedResource } from '../types';

function json(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Creates them in template order; answers what the runner learned (a CA's id, for its Ref). */
export async function createIotRegistryResources(model: IotModel, resources: readonly ResolvedResource[]): Promise<Map<string, string>> {
  const caIds = new Map<string, string>();
  for (const resource of resources) {
    const properties = resource.properties as Record<string, any>;
    switch (resource.type) {
      case 'AWS::IoT::Policy':
        await model.createPolicy({ policyName: resource.physicalId, policyDocument: json(properties.PolicyDocument) });
        break;
      case 'AWS::IoT::ProvisioningTemplate':
        await model.createProvisioningTemplate({
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
        });
        break;
      case 'AWS::IoT::CACertificate': {
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
      default:
        break;
    }
  }
  return caIds;
}
