import { TemplateError } from './errors';
import { loadTemplate } from './load';
import { CERTIFICATE } from './resource-types';

/** The template types of CreateProvisioningTemplate (`type`); a CA's registrationConfig.templateBody is JITP. */
export type TemplateKind = 'JITP' | 'FLEET_PROVISIONING';

/**
 * The checks AWS IoT makes when it stores a template (CreateProvisioningTemplate, RegisterCACertificate /
 * UpdateCACertificate with a registrationConfig): size, JSON, sections, resource types and properties,
 * intrinsic functions. Throws TemplateError; returns nothing when the template is acceptable.
 */
export function validateTemplate(body: string, kind: TemplateKind): void {
  const model = loadTemplate(body);
  if (kind === 'FLEET_PROVISIONING') {
    const certificate = model.resources.find(resource => resource.type === CERTIFICATE);
    if (certificate !== undefined && certificate.properties.CertificateId === undefined && certificate.properties.CertificateID === undefined) {
      throw new TemplateError(
        `Resources.${certificate.logicalId}: only certificate IDs can be used with a fleet provisioning template (CertificateId: {"Ref": "AWS::IoT::Certificate::Id"})`,
      );
    }
  }
}
