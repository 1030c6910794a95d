import { optionalString, rejectUnknownFields } from './fields';
import { ClientError, invalidField } from '../http/client-error';
import { PkiError, SubjectFields, subjectTextProblem, validateSubject } from '../pki';

/**
 * Reads a subject object of a request body (`csrSubjects`, `subject`, ...) that may hold the
 * given fields. Every problem is a 400 naming the field as `<path>.<field>`. An empty object
 * gives an empty subject: the caller decides whether a field is required.
 */
export function parseSubjectObject(
  object: Record<string, unknown>,
  path: string,
  fields: readonly (keyof SubjectFields)[],
): SubjectFields {
  rejectUnknownFields(object, fields, `${path}.`);
  const subject: Record<string, string> = {};
  for (const field of fields) {
    const value = optionalString(object, field, { path: `${path}.`, maxLength: 64 });
    const problem = value === undefined ? undefined : subjectTextProblem(value);
    if (problem) throw invalidField(`${path}.${field}`, problem);
    if (value !== undefined) subject[field] = value;
  }
  if (subject.countryName !== undefined && !/^[A-Za-z]{2}$/.test(subject.countryName)) {
    throw invalidField(`${path}.countryName`, 'must be a two-letter ISO 3166 country code');
  }
  if (Object.keys(subject).length === 0) return subject;
  try {
    // The PKI's own rules (valid Unicode, no C1 controls, PrintableString where X.520 wants it)
    // decide, so that nothing it would refuse later gets past the request check.
    return validateSubject(subject, path);
  } catch (error) {
    if (error instanceof PkiError) throw new ClientError(400, 'InvalidField', error.message);
    throw error;
  }
}
