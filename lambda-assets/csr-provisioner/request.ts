import { badRequest, invalidField } from '../shared/http/client-error';
import { attributeProblem, isValidThingName, MAX_ATTRIBUTES_WITHOUT_TYPE } from '../shared/iot/thing-names';
import { encodePem, parseCsr, ParsedCsr, PkiError } from '../shared/pki';
import { fieldPath, optionalObject, optionalString, rejectUnknownFields } from '../shared/validation/fields';

/** The body of POST /provision/device, after every check that needs no AWS call. */
export interface ProvisionRequest {
  readonly thingName: string;
  /** The CSR, checked: signature, key type and size. */
  readonly csr: ParsedCsr;
  /** The CSR re-encoded as one canonical PEM block: what the template's CSR parameter gets. */
  readonly csrPem: string;
  readonly thingTypeName?: string;
  /** Attribute name -> value, as the template's AttributePayload takes them. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly thingGroups?: readonly string[];
  /** Replace the thing's ACTIVE certificates with the new one (they become INACTIVE afterwards). */
  readonly rotate: boolean;
}

const FIELDS = ['ThingName', 'CSR', 'ThingTypeName', 'AttributePayload', 'ThingGroups', 'rotate'];
/** Thing, thing type and thing group names share AWS IoT's pattern. */
const RESOURCE_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const RESOURCE_NAME_HINT = 'must be 1-128 characters of a-z, A-Z, 0-9, colon, underscore and hyphen';
/** A thing belongs directly to at most 10 thing groups. */
const MAX_THING_GROUPS = 10;
/** A PEM CSR with a 4096-bit RSA key is under 2 KiB; base64 adds a third. Anything longer is not a device CSR. */
const MAX_CSR_LENGTH = 16384;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export async function parseProvisionRequest(body: Record<string, unknown>): Promise<ProvisionRequest> {
  rejectUnknownFields(body, FIELDS);
  if (body.ThingName === undefined) throw badRequest('MissingField', 'ThingName: is required (the name of the thing to provision)');
  if (!isValidThingName(body.ThingName)) throw invalidField('ThingName', RESOURCE_NAME_HINT);
  const thingName = body.ThingName;
  if (body.CSR === undefined) throw badRequest('MissingField', 'CSR: is required (a PKCS#10 certificate signing request, PEM or base64 of the PEM)');

  const thingTypeName = optionalString(body, 'ThingTypeName', { pattern: RESOURCE_NAME, patternHint: RESOURCE_NAME_HINT });
  const attributes = readAttributes(body, thingTypeName !== undefined);
  const thingGroups = readThingGroups(body.ThingGroups);
  if (body.rotate !== undefined && typeof body.rotate !== 'boolean') throw invalidField('rotate', 'must be true or false');

  const csrText = optionalString(body, 'CSR', { maxLength: MAX_CSR_LENGTH })!;
  let csr: ParsedCsr;
  try {
    csr = await parseCsr(csrPemOf(csrText));
  } catch (error) {
    // The PKI's refusals (not a CSR, bad signature, a key AWS IoT does not accept) are the caller's to fix.
    if (error instanceof PkiError) throw invalidField('CSR', error.message);
    throw error;
  }
  return {
    thingName,
    csr,
    csrPem: encodePem(csr.der, 'CERTIFICATE REQUEST'),
    ...(thingTypeName === undefined ? {} : { thingTypeName }),
    ...(attributes === undefined ? {} : { attributes }),
    ...(thingGroups === undefined ? {} : { thingGroups }),
    rotate: body.rotate === true,
  };
}

/**
 * The CSR as PEM. Factories send the PEM base64-encoded (the seed's contract); the PEM itself
 * and base64 of the bare DER are accepted too, since they say the same thing.
 */
function csrPemOf(value: string): string {
  const text = value.trim();
  if (text.startsWith('-----BEGIN')) return text;
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    throw invalidField('CSR', 'is neither a PEM certificate request nor valid base64 (standard alphabet, padded)');
  }
  const bytes = Buffer.from(compact, 'base64');
  const decoded = bytes.toString('utf8').trim();
  if (decoded.startsWith('-----BEGIN')) return decoded;
  // 0x30: a DER SEQUENCE, which a PKCS#10 request is; parseCsr judges the rest.
  if (bytes[0] === 0x30) return encodePem(bytes, 'CERTIFICATE REQUEST');
  throw invalidField('CSR', 'is base64, but of neither a PEM certificate request nor its DER');
}

function readAttributes(body: Record<string, unknown>, hasThingType: boolean): Record<string, string> | undefined {
  const payload = optionalObject(body, 'AttributePayload');
  if (payload === undefined) return undefined;
  // AWS's AttributePayload also has `merge`, which only UpdateThing honours: refused as unknown.
  rejectUnknownFields(payload, ['attributes'], 'AttributePayload.');
  if (payload.attributes === undefined) return undefined;
  const attributes = payload.attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw invalidField('AttributePayload.attributes', 'must be a JSON object of attribute name -> string value');
  }
  for (const name of Object.keys(attributes)) {
    // A template would read {"Ref": ...} or {"Fn::...": ...} as an intrinsic function, not as an attribute.
    if (name === 'Ref' || name.startsWith('Fn::')) {
      throw invalidField(fieldPath('AttributePayload.attributes.', name), 'is reserved: provisioning templates read it as an intrinsic function');
    }
  }
  const max = hasThingType ? undefined : MAX_ATTRIBUTES_WITHOUT_TYPE;
  const problem = attributeProblem(attributes as Record<string, unknown>, max);
  if (problem) {
    const why = hasThingType ? '' : ` (a thing without a ThingTypeName holds ${MAX_ATTRIBUTES_WITHOUT_TYPE}; one with a type, 50)`;
    throw invalidField('AttributePayload.attributes', `${problem}${why}`);
  }
  return { ...(attributes as Record<string, string>) };
}

function readThingGroups(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidField('ThingGroups', 'must be an array of thing group names');
  if (value.length > MAX_THING_GROUPS) throw invalidField('ThingGroups', `a thing belongs to at most ${MAX_THING_GROUPS} thing groups`);
  value.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || !RESOURCE_NAME.test(name)) throw invalidField(`ThingGroups[${index}]`, RESOURCE_NAME_HINT);
    if (value.indexOf(name) !== index) throw invalidField(`ThingGroups[${index}]`, `'${name}' is listed twice`);
  });
  return value.length === 0 ? undefined : [...value] as string[];
}
