import { DescribeProvisioningTemplateCommand, IoTClient } from '@aws-sdk/client-iot';
import { ClientError } from '../shared/http/client-error';
import { isNotFound } from '../shared/iot/aws-errors';
import { isRegisteredBy, readCaRegistration } from '../shared/iot/ca-registration';
import { requiredSubjectFields, RequiredSubjectField, UnusableTemplateError } from '../shared/iot/jitp-template-fields';

/** A CA this API may issue device certificates under: ours, active, provisioning by template. */
export interface JitpCa {
  readonly caCertificateId: string;
  /** The verifier named by the CA's tag; undefined when the CA has none. */
  readonly verifierName?: string;
  /** The subject fields the CA's template reads from each device certificate. */
  readonly requiredFields: readonly RequiredSubjectField[];
}

/**
 * Reads the CA from AWS IoT (not cached: a CA an operator deactivates or deletes stops issuing
 * at once) and checks, in order, that it exists, that this construct registered it, that it is
 * ACTIVE with auto-registration, and that it carries a provisioning template any certificate
 * can satisfy. Each refusal names caCertificateId and says why.
 */
export async function loadJitpCa(iot: IoTClient, registrarId: string, caCertificateId: string): Promise<JitpCa> {
  const ca = await readCaRegistration(iot, caCertificateId);
  if (!ca) {
    throw new ClientError(404, 'CaNotFound', 'caCertificateId: AWS IoT has no CA certificate with this id in this account and Region');
  }
  if (!isRegisteredBy(ca, registrarId)) {
    throw new ClientError(400, 'CaNotManaged', 'caCertificateId: this CA was not registered by this construct\'s CA registrator');
  }
  const { status, autoRegistrationStatus } = ca.description;
  if (status !== 'ACTIVE') {
    throw new ClientError(409, 'CaNotActive', `caCertificateId: the CA is ${status ?? 'not ACTIVE'}; devices cannot connect with certificates it signs`);
  }
  if (autoRegistrationStatus !== 'ENABLE') {
    throw new ClientError(409, 'CaAutoRegistrationDisabled',
      `caCertificateId: the CA's auto-registration is ${autoRegistrationStatus ?? 'not enabled'}; just-in-time provisioning needs ENABLE`);
  }
  const templateBody = await templateBodyOf(iot, ca.registrationConfig);
  let requiredFields: RequiredSubjectField[];
  try {
    requiredFields = requiredSubjectFields(templateBody);
  } catch (error) {
    if (error instanceof UnusableTemplateError) throw unusableTemplate(error.message);
    throw error;
  }
  return { caCertificateId, verifierName: ca.tags.verifierName, requiredFields };
}

async function templateBodyOf(iot: IoTClient, config: { templateBody?: string; templateName?: string } | undefined): Promise<string> {
  if (config?.templateBody) return config.templateBody;
  if (!config?.templateName) {
    throw new ClientError(409, 'CaWithoutTemplate',
      'caCertificateId: the CA has no provisioning template (registrationConfig), so devices would not be provisioned; '
      + 'register it with the JustInTimeProvision construct\'s CA registrator');
  }
  const { templateName } = config;
  let template;
  try {
    template = await iot.send(new DescribeProvisioningTemplateCommand({ templateName }));
  } catch (error) {
    if (isNotFound(error)) throw unusableTemplate(`its provisioning template '${templateName}' does not exist`);
    throw error;
  }
  if (template.type !== undefined && template.type !== 'JITP') {
    throw unusableTemplate(`its provisioning template '${templateName}' is a ${template.type} template, not JITP`);
  }
  if (template.enabled === false) throw unusableTemplate(`its provisioning template '${templateName}' is disabled`);
  if (!template.templateBody) throw new Error(`DescribeProvisioningTemplate returned no body for '${templateName}'`);
  return template.templateBody;
}

function unusableTemplate(problem: string): ClientError {
  return new ClientError(409, 'TemplateUnusable', `caCertificateId: the CA cannot provision devices: ${problem}`);
}
