import { badRequest, invalidField } from '../shared/http/client-error';
import { KEY_ALGORITHMS, KeyAlgorithm, SubjectFields } from '../shared/pki';
import {
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  rejectUnknownFields,
} from '../shared/validation/fields';
import { parseSubjectObject } from '../shared/validation/subject';

/** The body of POST /caRegister, after validation. */
export type RegisterCaRequest = GenerateCaRequest | ImportCaRequest;

export const CERTIFICATE_MODES = ['DEFAULT', 'SNI_ONLY'] as const;
export type CertificateMode = (typeof CERTIFICATE_MODES)[number];

interface CommonFields {
  readonly verifierName?: string;
  readonly certificateMode: CertificateMode;
}

/** We make the CA, its key stays in the vault. */
export interface GenerateCaRequest extends CommonFields {
  readonly kind: 'generate';
  readonly subject: SubjectFields;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly validityDays: number;
}

/** The user brings a CA certificate (and verification certificate); its key never leaves the user. */
export interface ImportCaRequest extends CommonFields {
  readonly kind: 'import';
  readonly caCertificatePem: string;
  readonly verificationCertificatePem?: string;
}

export interface RequestRules {
  readonly verifierNames: readonly string[];
  readonly defaultKeyAlgorithm: KeyAlgorithm;
  readonly defaultValidityDays: number;
}

export const SUBJECT_FIELDS = [
  'commonName', 'countryName', 'stateName', 'localityName', 'organizationName', 'organizationUnitName',
] as const;
const GENERATE_FIELDS = ['csrSubjects', 'keyAlgorithm', 'validityDays'];
const IMPORT_FIELDS = ['caCertificatePem', 'verificationCertificatePem'];
const COMMON_FIELDS = ['verifierName', 'certificateMode'];
const MAX_VALIDITY_DAYS = 18250;
const PEM_CERTIFICATE = /^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;

export function parseRegisterCaRequest(body: Record<string, unknown>, rules: RequestRules): RegisterCaRequest {
  rejectUnknownFields(body, [...COMMON_FIELDS, ...GENERATE_FIELDS, ...IMPORT_FIELDS]);
  const verifierName = optionalString(body, 'verifierName', { maxLength: 128 });
  if (verifierName !== undefined && !rules.verifierNames.includes(verifierName)) {
    const known = rules.verifierNames.length ? rules.verifierNames.join(', ') : 'none are configured';
    throw invalidField('verifierName', `unknown verifier '${verifierName}'; known verifiers: ${known}`);
  }
  const certificateMode = optionalEnum(body, 'certificateMode', CERTIFICATE_MODES) ?? 'DEFAULT';
  const common = { verifierName, certificateMode };

  if (body.caCertificatePem !== undefined) {
    return { kind: 'import', ...common, ...parseImportFields(body, certificateMode) };
  }
  if (body.verificationCertificatePem !== undefined) {
    throw invalidField('verificationCertificatePem', 'is only accepted together with caCertificatePem');
  }
  return {
    kind: 'generate',
    ...common,
    subject: parseSubjectObject(optionalObject(body, 'csrSubjects') ?? {}, 'csrSubjects', SUBJECT_FIELDS),
    keyAlgorithm: optionalEnum(body, 'keyAlgorithm', KEY_ALGORITHMS) ?? rules.defaultKeyAlgorithm,
    validityDays: optionalInteger(body, 'validityDays', { min: 1, max: MAX_VALIDITY_DAYS }) ?? rules.defaultValidityDays,
  };
}

function parseImportFields(body: Record<string, unknown>, mode: CertificateMode) {
  for (const field of GENERATE_FIELDS) {
    if (body[field] !== undefined) {
      throw invalidField(field, 'does not apply when you bring your own CA (caCertificatePem)');
    }
  }
  const pem = { maxLength: 16384, pattern: PEM_CERTIFICATE, patternHint: 'must be one PEM certificate' };
  const caCertificatePem = optionalString(body, 'caCertificatePem', pem)!;
  const verificationCertificatePem = optionalString(body, 'verificationCertificatePem', pem);
  if (mode === 'DEFAULT' && verificationCertificatePem === undefined) {
    throw badRequest('MissingField',
      'verificationCertificatePem: is required in DEFAULT mode (CN = the registration code, signed by your CA key); use certificateMode SNI_ONLY to register without one');
  }
  if (mode === 'SNI_ONLY' && verificationCertificatePem !== undefined) {
    throw invalidField('verificationCertificatePem', 'is not used in SNI_ONLY mode; leave it out');
  }
  return { caCertificatePem, verificationCertificatePem };
}
