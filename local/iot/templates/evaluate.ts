import { TemplateError } from './errors';
import { Evaluator } from './evaluator';
import { loadTemplate } from './load';
import type { TemplateModel } from './model';
import type { ProvisioningPlan } from './plan';
import { planResources } from './resources';

export interface EvaluationOptions {
  /**
   * Parameters whose declared Default never applies: when the template declares one, it must be
   * supplied. JITP passes its certificate parameters (JITP_CERTIFICATE_PARAMETERS): "The certificate
   * must contain values for all of the parameters in the template body".
   */
  readonly suppliedOnly?: ReadonlySet<string>;
}

/**
 * Runs a template with parameter values (RegisterThing's `parameters`, a fleet device's RegisterThing
 * `parameters` after the pre-provisioning hook's overrides, or JITP's certificate fields) into a plan.
 *
 * A `Ref` resolves to the supplied value of that name, else the declared parameter's Default. Every
 * declared parameter without a Default (or in `options.suppliedOnly`) must be supplied, referenced or
 * not: that is how JITP fails when the device certificate lacks a subject field the template declares.
 */
export function evaluateProvisioningTemplate(
  body: string,
  parameters: Readonly<Record<string, string>>,
  options: EvaluationOptions = {},
): ProvisioningPlan {
  const model = loadTemplate(body);
  const evaluator = new Evaluator(model, parameterValues(model, parameters, options.suppliedOnly ?? new Set()));
  const resources = planResources(model, evaluator);
  const deviceConfiguration = evaluator.stringMap(
    model.deviceConfiguration,
    'DeviceConfiguration',
    "The DeviceConfiguration section doesn't support nested JSON objects",
  );
  return { ...resources, deviceConfiguration };
}

function parameterValues(model: TemplateModel, parameters: Readonly<Record<string, string>>, suppliedOnly: ReadonlySet<string>): Map<string, string> {
  const values = new Map(Object.entries(parameters).filter(([, value]) => typeof value === 'string'));
  for (const declaration of model.parameters) {
    if (values.has(declaration.name)) continue;
    if (suppliedOnly.has(declaration.name)) {
      throw new TemplateError(
        `No value for parameter ${declaration.name}: the certificate has no such field, and a Default does not stand in for one`, 'parameters');
    }
    if (declaration.default === undefined) {
      throw new TemplateError(`No value for parameter ${declaration.name}: it declares no Default and none was supplied`, 'parameters');
    }
    values.set(declaration.name, declaration.default);
  }
  return values;
}
