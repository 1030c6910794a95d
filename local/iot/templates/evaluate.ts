import { TemplateError } from './errors';
import { Evaluator } from './evaluator';
import { loadTemplate } from './load';
import type { TemplateModel } from './model';
import type { ProvisioningPlan } from './plan';
import { planResources } from './resources';

/**
 * Runs a template with parameter values (RegisterThing's `parameters`, a fleet device's RegisterThing
 * `parameters` after the pre-provisioning hook's overrides, or JITP's certificate fields) into a plan.
 *
 * A `Ref` resolves to the supplied value of that name, else the declared parameter's Default. Every
 * declared parameter without a Default must be supplied, referenced or not: that is how JITP fails
 * when the device certificate lacks a subject field the template declares.
 */
export function evaluateProvisioningTemplate(body: string, parameters: Readonly<Record<string, string>>): ProvisioningPlan {
  const model = loadTemplate(body);
  const evaluator = new Evaluator(model, parameterValues(model, parameters));
  const resources = planResources(model, evaluator);
  const deviceConfiguration = evaluator.stringMap(
    model.deviceConfiguration,
    'DeviceConfiguration',
    "The DeviceConfiguration section doesn't support nested JSON objects",
  );
  return { ...resources, deviceConfiguration };
}

function parameterValues(model: TemplateModel, parameters: Readonly<Record<string, string>>): Map<string, string> {
  const values = new Map(Object.entries(parameters).filter(([, value]) => typeof value === 'string'));
  for (const declaration of model.parameters) {
    if (values.has(declaration.name)) continue;
    if (declaration.default === undefined) {
      throw new TemplateError(`No value for parameter ${declaration.name}: it declares no Default and none was supplied`, 'parameters');
    }
    values.set(declaration.name, declaration.default);
  }
  return values;
}
