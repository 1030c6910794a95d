import { createHash } from 'node:crypto';
import { badRequest, invalidField } from '../shared/http/client-error';
import { KEY_ALGORITHMS, KeyAlgorithm, parseCsr, ParsedCsr, PkiError, SubjectFields, validateSubject } from '../shared/pki';
import { optionalEnum, optionalInteger, optionalObject, optionalString, rejectUnknownFields } from '../shared/validation/fields';
import { parseSubjectObject } from '../shared/validation/subject';

/** The body of POST /deviceCertificateGenerate, after validation. */
export type DeviceCertificateRequest = CsrRequest | KeyGenerationRequest;

interface CommonFields {
  readonly caCertificateId: string;
  readonly validityDays: number;
}

/** The device made its key pair and sends a CSR: only its public key reaches us. */
export interface CsrRequest extends CommonFields {
  readonly kind: 'csr';
  readonly csr: ParsedCsr;
  /** Lowercase hex SHA-256 of the CSR's DER: names the request's idempotency record. */
  readonly csrSha256: string;
  /** The CSR's subject, checked: the certificate carries exactly this. */
  readonly subject: SubjectFields;
}

/** The device cannot make a key: we generate one and hand it out once, in the response. */
export interface KeyGenerationRequest extends CommonFields {
  readonly kind: 'generate-key';
  readonly keyAlgorithm: KeyAlgorithm;
  readonly subject: SubjectFields;
}

export interface RequestRules {
  readonly defaultValidityDays: number;
  readonly maxValidityDays: number;
}

export const DEVICE_SUBJECT_FIELDS: readonly (keyof SubjectFields)[] = [
  'commonName', 'countryName', 'stateName', 'localityName', 'organizationName', 'organizationUnitName', 'serialNumber', 'dnQualifier',
];
const FIELDS = ['caCertificateId', 'csrPem', 'keyAlgorithm', 'subject', 'validityDays'];
const CERTIFICATE_ID = /^[0-9a-f]{64}$/;
const PEM_CSR = /^\s*-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;

export async function parseDeviceCertificateRequest(body: Record<string, unknown>, rules: RequestRules): Promise<DeviceCertificateRequest> {
  rejectUnknownFields(body, FIELDS);
  if (body.caCertificateId === undefined) throw badRequest('MissingField', 'caCertificateId: is required (the id of a CA registered by this construct)');
  const caCertificateId = optionalString(body, 'caCertificateId', {
    pattern: CERTIFICATE_ID, patternHint: 'must be a CA certificate id: 64 lowercase hex characters',
  })!;
  if (body.csrPem !== undefined && body.keyAlgorithm !== undefined) {
    throw invalidField('csrPem, keyAlgorithm', 'give one or the other: csrPem when the device made its key, keyAlgorithm to have a key generated');
  }
  if (body.csrPem === undefined && body.keyAlgorithm === undefined) {
    throw badRequest('MissingField', 'csrPem, keyAlgorithm: one of them is required: csrPem when the device made its key, keyAlgorithm to have a key generated');
  }
  const validityDays = optionalInteger(body, 'validityDays', { min: 1, max: rules.maxValidityDays }) ?? rules.defaultValidityDays;

  if (body.keyAlgorithm !== undefined) {
    const keyAlgorithm = optionalEnum(body, 'keyAlgorithm', KEY_ALGORITHMS)!;
    if (body.subject === undefined) {
      throw badRequest('MissingField', 'subject: is required with keyAlgorithm (the certificate subject, commonName at least)');
    }
    const subject = parseSubjectObject(optionalObject(body, 'subject')!, 'subject', DEVICE_SUBJECT_FIELDS);
    if (subject.commonName === undefined) throw badRequest('MissingField', 'subject.commonName: is required');
    return { kind: 'generate-key', caCertificateId, validityDays, keyAlgorithm, subject };
  }

  if (body.subject !== undefined) {
    throw invalidField('subject', 'is not allowed with csrPem: the certificate subject is the one in the CSR');
  }
  const csrPem = optionalString(body, 'csrPem', { maxLength: 16384, pattern: PEM_CSR, patternHint: 'must be one PEM certificate request (PKCS#10)' })!;
  const csr = await checked(() => parseCsr(csrPem));
  const subject = await checked(async () => validateSubject(csr.subject, 'the CSR subject'));
  return {
    kind: 'csr',
    caCertificateId,
    validityDays,
    csr,
    csrSha256: createHash('sha256').update(csr.der).digest('hex'),
    subject,
  };
}

/** The PKI's refusals of a CSR (bad signature, weak key, unusable subject) are the caller's to fix. */
async function checked<T>(parse: () => Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch (error) {
    if (error instanceof PkiError) throw invalidField('csrPem', error.message);
    throw error;
  }
}
