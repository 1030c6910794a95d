import { parseTemplateBody } from './body';
import { readTemplate, type TemplateModel } from './model';
import { checkIntrinsics } from './static-check';

/** Parses a template body and runs every check that does not depend on parameter values. */
export function loadTemplate(body: string): TemplateModel {
  const model = readTemplate(parseTemplateBody(body) as Record<string, unknown>);
  checkIntrinsics(model);
  return model;
}
