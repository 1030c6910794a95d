import type { RegistrarConfig, ThingTypeConfig } from './config';
import type { RegistrationToken } from './token-context';
import { badRequest, ClientError, invalidField } from '../shared/http/client-error';
import { attributeProblem, isValidThingName, MAX_ATTRIBUTES_WITHOUT_TYPE } from '../shared/iot/thing-names';
import { fieldPath, optionalObject, optionalString, rejectUnknownFields } from '../shared/validation/fields';

/** The body of POST /register, checked against the configuration and the token's rights. */
export interface RegistrationRequest {
  readonly thingName: string;
  readonly version: string;
  /** The type name (a THING_TYPES key) and its settings. */
  readonly thingType: string;
  readonly type: ThingTypeConfig;
  /** The thing's attributes: the device's, plus `version`. */
  readonly attributes: Readonly<Record<string, string>>;
}

const FIELDS = ['thingName', 'version', 'thingType', 'attributes'];
const VERSION = /^[a-zA-Z0-9_.,@/:#=[\]-]{1,64}$/;

export function parseRegistrationRequest(body: Record<string, unknown>, config: RegistrarConfig, token: RegistrationToken): RegistrationRequest {
  rejectUnknownFields(body, FIELDS);
  if (body.thingName === undefined) throw badRequest('MissingField', 'thingName: is required (the name of the thing to register)');
  if (!isValidThingName(body.thingName)) throw invalidField('thingName', 'must be 1-128 characters of a-z, A-Z, 0-9, colon, underscore and hyphen');
  if (body.version === undefined) throw badRequest('MissingField', 'version: is required (the device\'s software or hardware version)');
  const version = optionalString(body, 'version', { pattern: VERSION, patternHint: 'must be 1-64 characters of a-z, A-Z, 0-9 and _.,@/:#=[]-' })!;

  const thingType = optionalString(body, 'thingType') ?? config.defaultThingType;
  if (thingType === undefined) {
    throw badRequest('MissingField', `thingType: is required (this gateway has no default type; known: ${[...config.thingTypes.keys()].join(', ')})`);
  }
  const type = config.thingTypes.get(thingType);
  if (!type) throw invalidField('thingType', `'${thingType}' is not a type this gateway registers; known: ${[...config.thingTypes.keys()].join(', ')}`);
  if (token.thingTypes.length > 0 && !token.thingTypes.includes(thingType)) {
    throw new ClientError(403, 'ThingTypeNotAllowed', `thingType: this token does not register things of type '${thingType}'`);
  }
  return { thingName: body.thingName, version, thingType, type, attributes: { ...readAttributes(body, type), version } };
}

function readAttributes(body: Record<string, unknown>, type: ThingTypeConfig): Record<string, string> {
  const attributes = optionalObject(body, 'attributes') ?? {};
  for (const name of Object.keys(attributes)) {
    if (name === 'version') throw invalidField('attributes.version', 'is set from the version field; send it there');
    if (!type.attributes.includes(name)) {
      const allowed = type.attributes.length === 0 ? 'this type allows none' : `allowed: ${type.attributes.join(', ')}`;
      throw invalidField(fieldPath('attributes.', name), `is not an attribute of this thing type (${allowed})`);
    }
  }
  // AWS IoT's limits count `version` too: 50 attributes with a thing type, 3 without.
  const max = type.thingTypeName === undefined ? MAX_ATTRIBUTES_WITHOUT_TYPE - 1 : 49;
  const problem = attributeProblem(attributes, max);
  if (problem) throw invalidField('attributes', `${problem} (besides version)`);
  return attributes as Record<string, string>;
}
