import { derElement, derSequence, TAG } from './der-writer';
import { pkiError } from './errors';
import type { x509 } from './runtime';

/** Subject fields; names as the API bodies use them. */
export interface SubjectFields {
  commonName?: string;
  countryName?: string;
  stateName?: string;
  localityName?: string;
  organizationName?: string;
  organizationUnitName?: string;
  serialNumber?: string;
  dnQualifier?: string;
}

interface SubjectAttribute {
  readonly field: keyof SubjectFields;
  /** DER of the attribute type's OBJECT IDENTIFIER (2.5.4.x, all under id-at). */
  readonly typeDer: Buffer;
  /** Dotted OID, for reading names back with @peculiar/x509. */
  readonly oid: string;
  /**
   * X.520 types countryName, serialNumber and dnQualifier as PrintableString (RFC 5280 appendix A),
   * so values outside that alphabet cannot be encoded correctly and are refused.
   */
  readonly printableOnly: boolean;
}

/** An attribute type under id-at (2.5.4): its OID in both forms. */
function idAt(arc: number): Pick<SubjectAttribute, 'oid' | 'typeDer'> {
  return { oid: `2.5.4.${arc}`, typeDer: Buffer.from([TAG.OBJECT_IDENTIFIER, 3, 0x55, 0x04, arc]) };
}

/**
 * Known attributes, in the order they appear in the DN (broad to narrow, as OpenSSL and most
 * CAs write them). OIDs rather than short names: @peculiar/x509 maps "SN" to surname, not serialNumber.
 */
const SUBJECT_ATTRIBUTES: readonly SubjectAttribute[] = [
  { field: 'countryName', ...idAt(6), printableOnly: true },
  { field: 'stateName', ...idAt(8), printableOnly: false },
  { field: 'localityName', ...idAt(7), printableOnly: false },
  { field: 'organizationName', ...idAt(10), printableOnly: false },
  { field: 'organizationUnitName', ...idAt(11), printableOnly: false },
  { field: 'commonName', ...idAt(3), printableOnly: false },
  { field: 'serialNumber', ...idAt(5), printableOnly: true },
  { field: 'dnQualifier', ...idAt(46), printableOnly: true },
];

const KNOWN_FIELDS = new Set<string>(SUBJECT_ATTRIBUTES.map(a => a.field));

/** Display names for the attributes @peculiar/x509 does not name itself. */
export const EXTRA_ATTRIBUTE_NAMES: Readonly<Record<string, string>> = { serialNumber: '2.5.4.5', dnQualifier: '2.5.4.46' };

/** X.520 upper bound for CN, O, OU and serialNumber; we apply it to every field. */
const MAX_FIELD_LENGTH = 64;
const PRINTABLE_STRING = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const COUNTRY_CODE = /^[A-Za-z]{2}$/;
// C0 and C1 control characters: they corrupt logs and break the text forms of a DN.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// A lone UTF-16 surrogate has no UTF-8 encoding; it would silently turn into U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks untrusted subject input and returns a clean copy holding only the fields that are set.
 * Throws BAD_SUBJECT naming the offending field.
 */
export function validateSubject(input: unknown, what: string = 'subject'): SubjectFields {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw pkiError('BAD_SUBJECT', `${what} must be an object with fields such as commonName`);
  }
  // Refuse unknown fields instead of dropping them: "organisationName" would otherwise vanish
  // silently and a JITP template that reads the organization would fail on the device's first connect.
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw pkiError('BAD_SUBJECT', `${what}.${key} is not a subject field; use ${[...KNOWN_FIELDS].join(', ')}`);
    }
  }
  const clean: SubjectFields = {};
  for (const { field, printableOnly } of SUBJECT_ATTRIBUTES) {
    const value: unknown = (input as Record<string, unknown>)[field];
    if (value === undefined) {
      continue;
    }
    clean[field] = validateValue(value, `${what}.${field}`, printableOnly);
  }
  if (clean.countryName !== undefined && !COUNTRY_CODE.test(clean.countryName)) {
    throw pkiError('BAD_SUBJECT', `${what}.countryName must be a two-letter country code (ISO 3166), got ${JSON.stringify(clean.countryName)}`);
  }
  if (Object.keys(clean).length === 0) {
    throw pkiError('BAD_SUBJECT', `${what} must set at least one field (commonName, usually)`);
  }
  return clean;
}

/**
 * What makes text unfit for a distinguished name (C0/C1 control characters, lone
 * surrogates), or undefined when it is fine. Request validators call this too,
 * so that they refuse exactly what the PKI refuses.
 */
export function subjectTextProblem(value: string): string | undefined {
  if (CONTROL_CHARACTER.test(value)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode text';
  return undefined;
}

function validateValue(value: unknown, name: string, printableOnly: boolean): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw pkiError('BAD_SUBJECT', `${name} must be a non-empty string`);
  }
  if ([...value].length > MAX_FIELD_LENGTH) {
    throw pkiError('BAD_SUBJECT', `${name} must be at most ${MAX_FIELD_LENGTH} characters`);
  }
  const problem = subjectTextProblem(value);
  if (problem) throw pkiError('BAD_SUBJECT', `${name} ${problem}`);
  if (printableOnly && !PRINTABLE_STRING.test(value)) {
    throw pkiError('BAD_SUBJECT', `${name} may only hold letters, digits, spaces and ' ( ) + , - . / : = ? (X.520 PrintableString)`);
  }
  return value;
}

/**
 * DER Name of a validated subject: one attribute per RDN, each value an explicitly typed ASN.1
 * string (PrintableString where its alphabet allows, as OpenSSL does; UTF8String otherwise, per
 * RFC 5280 4.1.2.6). The values are bytes in a structure, never DN text, so commas, plus signs,
 * quotes, backslashes or a leading '#' are data, not syntax.
 *
 * The encoding is the same, byte for byte, as @peculiar/x509's structured JSON form with typed
 * values (the test suite checks that); it is written out here because going through the library's
 * generic ASN.1 serializer cost more per certificate than the signature (see bench/).
 */
export function encodeSubject(subject: SubjectFields): Buffer {
  const relativeNames: Buffer[] = [];
  for (const { field, typeDer } of SUBJECT_ATTRIBUTES) {
    const value = subject[field];
    if (value === undefined) {
      continue;
    }
    const typedValue = PRINTABLE_STRING.test(value)
      ? derElement(TAG.PRINTABLE_STRING, Buffer.from(value, 'latin1'))
      : derElement(TAG.UTF8_STRING, Buffer.from(value, 'utf8'));
    relativeNames.push(derElement(TAG.SET, derSequence(typeDer, typedValue)));
  }
  return derSequence(...relativeNames);
}

/** Reads the known subject fields out of a Name; other attributes (emailAddress, ...) are ignored. */
export function subjectFieldsOf(name: x509.Name): SubjectFields {
  const fields: SubjectFields = {};
  for (const { field, oid } of SUBJECT_ATTRIBUTES) {
    const [first] = name.getField(oid);
    if (first !== undefined) {
      fields[field] = first;
    }
  }
  return fields;
}
