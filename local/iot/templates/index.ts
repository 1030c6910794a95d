/**
 * The AWS IoT provisioning-template engine of the local cloud: one evaluator for JITP (a template on a
 * CA), RegisterThing and fleet provisioning. Pure: it turns a template body and parameters into a
 * ProvisioningPlan that the registry applies.
 */
export { parseTemplateBody, TEMPLATE_BODY_MAX_LENGTH } from './body';
export { TemplateError, type TemplateErrorReason } from './errors';
export { evaluateProvisioningTemplate, type EvaluationOptions } from './evaluate';
export { CERTIFICATE_ID_PARAMETER, JITP_CERTIFICATE_PARAMETERS, jitpParametersFromCertificate, type CertificateSubjectFields } from './jitp-parameters';
export type {
  CertificateOverrideSettings,
  MergeOverride,
  PlannedCertificate,
  PlannedPolicy,
  PlannedThing,
  ProvisioningPlan,
  ReplaceOverride,
  ThingOverrideSettings,
} from './plan';
export { validateTemplate, type TemplateKind } from './validate';
