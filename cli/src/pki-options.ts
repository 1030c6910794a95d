import { choiceOption, stringOption, type OptionValues } from './command';
import { usageError } from './exit-codes';
import { KEY_ALGORITHMS, PkiError, validateSubject, type KeyAlgorithm, type SubjectFields } from '../../lambda-assets/shared/pki';

/** Distinguished-name keys as openssl writes them, and the subject fields they fill. */
const DN_KEYS: Readonly<Record<string, keyof SubjectFields>> = {
  C: 'countryName',
  ST: 'stateName',
  L: 'localityName',
  O: 'organizationName',
  OU: 'organizationUnitName',
  CN: 'commonName',
  SERIALNUMBER: 'serialNumber',
  DNQUALIFIER: 'dnQualifier',
};

export const SUBJECT_USAGE = '--subject "/C=DE/O=Example/CN=name" (openssl form) or "CN=name,O=Example,C=DE"; --common-name sets CN alone';
export const KEY_ALGORITHM_USAGE = `--key-algorithm ${KEY_ALGORITHMS.join('|')}`;

/**
 * The subject from `--subject` and `--common-name` (which wins for CN), checked by the same rules
 * the stack's handlers apply, so a certificate made here is one AWS IoT and our APIs accept.
 */
export function subjectOption(values: OptionValues, defaultCommonName?: string): SubjectFields {
  const fields: SubjectFields = {};
  const text = stringOption(values, 'subject');
  if (text !== undefined) Object.assign(fields, parseDistinguishedName(text));
  const commonName = stringOption(values, 'common-name');
  if (commonName !== undefined) fields.commonName = commonName;
  if (fields.commonName === undefined && defaultCommonName !== undefined) fields.commonName = defaultCommonName;
  if (Object.keys(fields).length === 0) throw usageError('a subject is required: --common-name NAME or --subject "/O=Example/CN=NAME"');
  try {
    return validateSubject(fields, '--subject');
  } catch (error) {
    if (error instanceof PkiError) throw usageError(error.message);
    throw error;
  }
}

/** "/C=DE/O=Example/CN=x" or "CN=x, O=Example, C=DE"; values may escape the separator with a backslash. */
export function parseDistinguishedName(text: string): SubjectFields {
  const slashForm = text.startsWith('/');
  const separator = slashForm ? '/' : ',';
  const parts = splitUnescaped(slashForm ? text.slice(1) : text, separator).map((part) => part.trim()).filter(Boolean);
  const fields: SubjectFields = {};
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals <= 0) throw usageError(`--subject: "${part}" is not KEY=value`);
    const key = part.slice(0, equals).trim().toUpperCase();
    const field = DN_KEYS[key];
    if (!field) throw usageError(`--subject: unknown attribute "${part.slice(0, equals).trim()}" (known: ${Object.keys(DN_KEYS).join(', ')})`);
    if (fields[field] !== undefined) throw usageError(`--subject: ${key} is given twice`);
    fields[field] = part.slice(equals + 1).trim();
  }
  return fields;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\\' && index + 1 < text.length) {
      current += text[++index];
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

export function keyAlgorithmOption(values: OptionValues, fallback: KeyAlgorithm = 'ECDSA-P256'): KeyAlgorithm {
  return choiceOption(values, 'key-algorithm', KEY_ALGORITHMS, fallback);
}
