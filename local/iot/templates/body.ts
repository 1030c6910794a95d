import { TemplateError } from './errors';

/**
 * Longest template body AWS IoT accepts, in characters (Unicode code points, as the API's length
 * constraints count them): `templateBody` of RegisterThing, CreateProvisioningTemplate and a CA's
 * `registrationConfig` all have "Maximum length of 10240".
 */
export const TEMPLATE_BODY_MAX_LENGTH = 10240;

/** Parses a template body: the length limit first (as the API validates it), then JSON, then "an object". */
export function parseTemplateBody(body: string): unknown {
  const length = [...body].length;
  if (length > TEMPLATE_BODY_MAX_LENGTH) {
    throw new TemplateError(
      `1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${TEMPLATE_BODY_MAX_LENGTH}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new TemplateError(`Template format error: JSON not well-formed (${(error as Error).message})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new TemplateError('Template format error: the template body must be a JSON object');
  }
  return document;
}
