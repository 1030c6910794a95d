/**
 * What a template failure is about, so callers can map it onto the AWS error they answer with:
 * - `template`: the body itself is wrong (RegisterThing / CreateProvisioningTemplate / RegisterCACertificate
 *   answer InvalidRequestException; the CA registrator prefixes "Invalid registration template. ").
 * - `parameters`: the body is fine but the values it was run with are not (fleet provisioning's
 *   `/rejected` answers `{statusCode: 400, errorCode: "InvalidParameters", errorMessage}`; JITP leaves
 *   the certificate PENDING_ACTIVATION).
 */
export type TemplateErrorReason = 'template' | 'parameters';

/** A provisioning template that cannot be parsed, validated or evaluated. */
export class TemplateError extends Error {
  public readonly reason: TemplateErrorReason;

  constructor(message: string, reason: TemplateErrorReason = 'template') {
    super(message);
    this.name = 'TemplateError';
    this.reason = reason;
  }
}

/** AWS IoT's message when a `Ref` (or a `${...}` in `Fn::Sub`) names nothing it can resolve. */
export function unresolvedReference(name: string, hint = ''): TemplateError {
  return new TemplateError(`Cannot resolve reference value: ${name}${hint}`, 'parameters');
}
