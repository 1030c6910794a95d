import { TemplateError } from './errors';
import { isPlainObject } from './functions';
import { CERTIFICATE, POLICY, RESOURCE_SPECS, RESOURCE_TYPES, THING, type ResourceType } from './resource-types';

/** A template body read into its sections, with the structure checked (values are not evaluated). */
export interface TemplateModel {
  readonly parameters: readonly ParameterDeclaration[];
  readonly mappings: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, MappingValue>>>>>>;
  readonly conditions: Readonly<Record<string, unknown>>;
  readonly resources: readonly ResourceDeclaration[];
  readonly deviceConfiguration: Readonly<Record<string, unknown>>;
}

export interface ParameterDeclaration {
  readonly name: string;
  readonly default?: string;
}

export type MappingValue = string | readonly string[];

export interface ResourceDeclaration {
  readonly logicalId: string;
  readonly type: ResourceType;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Name of the condition that gates the resource (the resource is skipped when it is false). */
  readonly condition?: string;
  readonly overrideSettings: Readonly<Record<string, string>>;
}

const PARAMETER_ATTRIBUTES = ['Type', 'Default', 'Description'];
const RESOURCE_ATTRIBUTES = ['Type', 'Properties', 'OverrideSettings', 'Condition'];

/**
 * Reads the sections of a parsed template body. Top-level keys other than Parameters, Mappings,
 * Conditions, Resources and DeviceConfiguration are ignored.
 */
export function readTemplate(document: Record<string, unknown>): TemplateModel {
  const conditions = section(document, 'Conditions');
  return {
    parameters: readParameters(section(document, 'Parameters')),
    mappings: readMappings(section(document, 'Mappings')),
    conditions,
    resources: readResources(document, conditions),
    deviceConfiguration: section(document, 'DeviceConfiguration'),
  };
}

function section(document: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = document[name];
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new TemplateError(`Template format error: the ${name} section must be a JSON object`);
  return value;
}

function readParameters(declarations: Record<string, unknown>): ParameterDeclaration[] {
  return Object.entries(declarations).map(([name, declaration]) => {
    const where = `Parameters.${name}`;
    if (!isPlainObject(declaration)) throw new TemplateError(`${where} must be an object with a Type`);
    for (const attribute of Object.keys(declaration)) {
      if (!PARAMETER_ATTRIBUTES.includes(attribute)) {
        throw new TemplateError(`${where}: unsupported attribute ${attribute} (a parameter declares Type and an optional Default)`);
      }
    }
    if (declaration.Type !== 'String') throw new TemplateError(`${where}: Type must be String`);
    const fallback = declaration.Default;
    if (fallback !== undefined && typeof fallback !== 'string') throw new TemplateError(`${where}: Default must be a string`);
    return fallback === undefined ? { name } : { name, default: fallback };
  });
}

function readMappings(maps: Record<string, unknown>): TemplateModel['mappings'] {
  const noFunctions = 'the Mappings section cannot include parameters, pseudo parameters or intrinsic functions';
  // Object.fromEntries defines own properties, so keys such as "__proto__" stay plain data.
  return Object.fromEntries(Object.entries(maps).map(([mapName, map]) => {
    if (!isPlainObject(map)) throw new TemplateError(`Mappings.${mapName} must map keys to sets of named values`);
    return [mapName, Object.fromEntries(Object.entries(map).map(([topKey, values]) => {
      if (!isPlainObject(values)) throw new TemplateError(`Mappings.${mapName}.${topKey} must be a set of named values`);
      return [topKey, Object.fromEntries(Object.entries(values).map(([secondKey, value]) => {
        const isStringList = Array.isArray(value) && value.every(item => typeof item === 'string');
        if (typeof value !== 'string' && !isStringList) {
          throw new TemplateError(`Mappings.${mapName}.${topKey}.${secondKey} must be a string or a list of strings: ${noFunctions}`);
        }
        return [secondKey, value as MappingValue];
      }))];
    }))];
  }));
}

function readResources(document: Record<string, unknown>, conditions: Record<string, unknown>): ResourceDeclaration[] {
  if (document.Resources === undefined) throw new TemplateError('Template format error: the Resources section is missing');
  const resources = Object.entries(section(document, 'Resources')).map(([logicalId, resource]) => readResource(logicalId, resource, conditions));
  for (const type of [THING, CERTIFICATE]) {
    const declared = resources.filter(resource => resource.type === type).map(resource => resource.logicalId);
    if (declared.length > 1) {
      throw new TemplateError(`A provisioning template can declare at most one ${type} resource; found ${declared.length}: ${declared.join(', ')}`);
    }
  }
  return resources;
}

function readResource(logicalId: string, resource: unknown, conditions: Record<string, unknown>): ResourceDeclaration {
  const where = `Resources.${logicalId}`;
  if (!isPlainObject(resource)) throw new TemplateError(`${where} must be an object with Type and Properties`);
  for (const attribute of Object.keys(resource)) {
    if (!RESOURCE_ATTRIBUTES.includes(attribute)) {
      throw new TemplateError(`${where}: unsupported attribute ${attribute} (a resource has Type, Properties, OverrideSettings and Condition)`);
    }
  }
  const type = resource.Type;
  if (!RESOURCE_TYPES.includes(type as ResourceType)) {
    throw new TemplateError(`${where}: unsupported resource type ${JSON.stringify(type)}; valid types are ${RESOURCE_TYPES.join(', ')}`);
  }
  const spec = RESOURCE_SPECS[type as ResourceType];
  const properties = resource.Properties;
  if (!isPlainObject(properties)) throw new TemplateError(`${where}: Properties must be an object`);
  for (const property of Object.keys(properties)) {
    if (spec.unsupported.includes(property)) {
      throw new TemplateError(`${where}: property ${property} of ${type} is not supported by the local cloud`);
    }
    if (!spec.properties.includes(property)) {
      throw new TemplateError(`${where}: unknown property ${property} for ${type}; valid properties are ${spec.properties.join(', ')}`);
    }
  }
  checkRequiredProperties(where, type as ResourceType, properties);

  const condition = resource.Condition;
  if (condition !== undefined && (typeof condition !== 'string' || !Object.hasOwn(conditions, condition))) {
    throw new TemplateError(`${where}: Condition ${JSON.stringify(condition)} is not declared in the Conditions section`);
  }
  return {
    logicalId,
    type: type as ResourceType,
    properties,
    ...(condition === undefined ? {} : { condition: condition as string }),
    overrideSettings: readOverrideSettings(where, type as ResourceType, resource.OverrideSettings),
  };
}

function checkRequiredProperties(where: string, type: ResourceType, properties: Record<string, unknown>): void {
  const has = (name: string) => properties[name] !== undefined;
  if (type === THING && !has('ThingName')) {
    throw new TemplateError(`${where}: ${THING} requires ThingName`);
  }
  if (type === CERTIFICATE) {
    const ways = ['CertificateId', 'CertificateID', 'CertificatePem', 'CertificateSigningRequest'].filter(has);
    if (ways.length !== 1) {
      throw new TemplateError(
        `${where}: declare the certificate in exactly one way (CertificateId, CertificatePem or CertificateSigningRequest); found ${ways.length === 0 ? 'none' : ways.join(', ')}`,
      );
    }
    if (has('CACertificatePem') && !has('CertificatePem')) {
      throw new TemplateError(`${where}: CACertificatePem can only accompany CertificatePem`);
    }
  }
  if (type === POLICY) {
    if (!has('PolicyName') && !has('PolicyDocument')) {
      throw new TemplateError(`${where}: Neither policyName nor policyDocument is present in the Template.`);
    }
    if (has('PolicyName') && has('PolicyDocument')) {
      throw new TemplateError(`${where}: specify policyName or policyDocument, not both`);
    }
  }
}

function readOverrideSettings(where: string, type: ResourceType, settings: unknown): Record<string, string> {
  if (settings === undefined) return {};
  const allowed = RESOURCE_SPECS[type].overrides;
  if (Object.keys(allowed).length === 0) throw new TemplateError(`${where}: OverrideSettings are not available for policy resources`);
  if (!isPlainObject(settings)) throw new TemplateError(`${where}: OverrideSettings must be an object`);
  return Object.fromEntries(Object.entries(settings).map(([key, value]) => {
    if (!Object.hasOwn(allowed, key)) {
      throw new TemplateError(`${where}: OverrideSettings cannot name ${key}; valid keys for ${type} are ${Object.keys(allowed).join(', ')}`);
    }
    if (typeof value !== 'string' || !allowed[key].includes(value)) {
      throw new TemplateError(`${where}: OverrideSettings.${key} must be one of ${allowed[key].join(', ')}`);
    }
    return [key, value];
  }));
}
