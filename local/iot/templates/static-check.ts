import { TemplateError } from './errors';
import { isPlainObject, parseCall } from './functions';
import type { TemplateModel } from './model';

/**
 * Checks every intrinsic call a template makes without evaluating it: supported functions only,
 * arguments of the right shape, condition functions only in Conditions, Fn::If and resource
 * conditions naming declared conditions, Fn::FindInMap naming declared maps (when the name is literal).
 *
 * `Ref` targets are not checked here: AWS IoT accepts a template whose Ref names nothing and fails
 * when the template runs ("Cannot resolve reference value: ..."), so evaluation reports those.
 */
export function checkIntrinsics(model: TemplateModel): void {
  for (const [name, condition] of Object.entries(model.conditions)) {
    checkCondition(model, condition, `Conditions.${name}`);
  }
  for (const resource of model.resources) {
    checkValue(model, resource.properties, `Resources.${resource.logicalId}.Properties`);
  }
  checkValue(model, model.deviceConfiguration, 'DeviceConfiguration');
}

function checkCondition(model: TemplateModel, node: unknown, where: string): void {
  const call = parseCall(node, where, 'condition');
  if (call === undefined) {
    throw new TemplateError(`${where}: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}`);
  }
  switch (call.fn) {
    case 'Condition':
      requireCondition(model, call.name, where);
      return;
    case 'Fn::Equals':
      checkValue(model, call.left, `${where}.Fn::Equals[0]`);
      checkValue(model, call.right, `${where}.Fn::Equals[1]`);
      return;
    case 'Fn::Not':
      checkCondition(model, call.operand, `${where}.Fn::Not[0]`);
      return;
    case 'Fn::And':
    case 'Fn::Or':
      call.operands.forEach((operand, index) => checkCondition(model, operand, `${where}.${call.fn}[${index}]`));
  }
}

function checkValue(model: TemplateModel, node: unknown, where: string): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => checkValue(model, item, `${where}[${index}]`));
    return;
  }
  if (!isPlainObject(node)) return;
  const call = parseCall(node, where, 'value');
  if (call === undefined) {
    for (const [key, value] of Object.entries(node)) checkValue(model, value, `${where}.${key}`);
    return;
  }
  const inner = `${where}.${call.fn}`;
  switch (call.fn) {
    case 'Ref':
      return;
    case 'Fn::Join':
      checkValue(model, call.list, `${inner}[1]`);
      return;
    case 'Fn::Split':
      checkValue(model, call.source, `${inner}[1]`);
      return;
    case 'Fn::Select':
      checkValue(model, call.index, `${inner}[0]`);
      checkValue(model, call.list, `${inner}[1]`);
      return;
    case 'Fn::FindInMap':
      if (typeof call.map === 'string' && !Object.hasOwn(model.mappings, call.map)) {
        throw new TemplateError(`${inner}: mapping ${call.map} is not declared in the Mappings section`);
      }
      [call.map, call.topKey, call.secondKey].forEach((argument, index) => checkValue(model, argument, `${inner}[${index}]`));
      return;
    case 'Fn::Sub':
      for (const [name, value] of Object.entries(call.variables)) checkValue(model, value, `${inner}[1].${name}`);
      return;
    case 'Fn::If':
      requireCondition(model, call.condition, inner);
      checkValue(model, call.whenTrue, `${inner}[1]`);
      checkValue(model, call.whenFalse, `${inner}[2]`);
  }
}

function requireCondition(model: TemplateModel, name: string, where: string): void {
  if (!Object.hasOwn(model.conditions, name)) {
    throw new TemplateError(`${where}: condition ${name} is not declared in the Conditions section`);
  }
}
