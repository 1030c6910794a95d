import { invalidRequest } from './errors';
import {
  createCaCertificate,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  issueDeviceCertificate,
  parseCsr,
  PkiError,
  validateSubject,
  type GeneratedCa,
  type SubjectFields,
} from '../../../lambda-assets/shared/pki';

/**
 * The issuer of certificates AWS IoT creates itself (CreateKeysAndCertificate,
 * CreateCertificateFromCsr, CreateProvisioningClaim, the fleet provisioning MQTT API). Real ones
 * name "OU=Amazon Web Services O=Amazon.com Inc. L=Seattle ST=Washington C=US"; ours has the
 * same name and a key made when the model first needs it, so it is a stand-in, trusted by nobody.
 */
const AMAZON_ISSUER_SUBJECT: SubjectFields = {
  countryName: 'US',
  stateName: 'Washington',
  localityName: 'Seattle',
  organizationName: 'Amazon.com Inc.',
  organizationUnitName: 'Amazon Web Services',
};

/** Subject of AWS-issued certificates made from a new key (CreateKeysAndCertificate). */
const AWS_ISSUED_SUBJECT: SubjectFields = { commonName: 'AWS IoT Certificate' };

/** AWS-issued device certificates are valid until the end of 2049. */
const AWS_ISSUED_NOT_AFTER_MS = Date.UTC(2049, 11, 31, 23, 59, 59);
const DAY_MS = 24 * 60 * 60 * 1000;

function createAmazonIssuingCa(now: Date): Promise<GeneratedCa> {
  return createCaCertificate({ subject: AMAZON_ISSUER_SUBJECT, keyAlgorithm: 'RSA-2048', validityDays: 365 * 40, now });
}

/** validityDays that make a certificate issued at `now` expire when AWS-issued ones do. */
function awsIssuedValidityDays(now: Date): number {
  return Math.max(1, (AWS_ISSUED_NOT_AFTER_MS - now.getTime()) / DAY_MS);
}

/** Issues the certificates AWS IoT makes itself, from the local stand-in of Amazon's issuing CA. */
export class AmazonIssuer {
  private amazonCa?: Promise<GeneratedCa>;

  constructor(private readonly clock: () => number) {}

  /** The issuing CA, made on first use. */
  authority(): Promise<GeneratedCa> {
    this.amazonCa ??= createAmazonIssuingCa(new Date(this.clock() - 24 * 60 * 60 * 1000));
    return this.amazonCa;
  }

  /** A new RSA 2048 key certified by the Amazon issuing CA; validity in days from the moment of issue. */
  async issueWithNewKey(validityDays: (now: Date) => number): Promise<{ certificatePem: string; privateKeyPem: string; publicKeyPem: string }> {
    const ca = await this.authority();
    const keys = await generateKeyPair('RSA-2048');
    const now = new Date(this.clock());
    const [issued, privateKeyPem, publicKeyPem] = await Promise.all([
      issueDeviceCertificate(ca.authority, { publicKey: keys.publicKey, subject: AWS_ISSUED_SUBJECT, validityDays: validityDays(now), now }),
      exportPrivateKeyPem(keys.privateKey),
      exportPublicKeyPem(keys.publicKey),
    ]);
    return { certificatePem: issued.certificatePem, privateKeyPem, publicKeyPem };
  }

  /** Checks a CSR as CreateCertificateFromCsr does and certifies its key with the Amazon issuing CA. */
  async certifyCsr(csrPem: string): Promise<string> {
    let subject: SubjectFields;
    let publicKey: Awaited<ReturnType<typeof parseCsr>>['publicKey'];
    try {
      const csr = await parseCsr(csrPem);
      publicKey = csr.publicKey;
      subject = Object.keys(csr.subject).length > 0 ? validateSubject(csr.subject, 'the CSR subject') : AWS_ISSUED_SUBJECT;
    } catch (error) {
      if (error instanceof PkiError) throw invalidRequest(`The certificate signing request is not valid: ${error.message}`);
      throw error;
    }
    const ca = await this.authority();
    const now = new Date(this.clock());
    const issued = await issueDeviceCertificate(ca.authority, { publicKey, subject, validityDays: awsIssuedValidityDays(now), now });
    return issued.certificatePem;
  }

  /** For CreateKeysAndCertificate: valid until the end of 2049, as AWS-issued certificates are. */
  async issueDeviceCertificateWithNewKey(): Promise<{ certificatePem: string; privateKeyPem: string; publicKeyPem: string }> {
    return this.issueWithNewKey(awsIssuedValidityDays);
  }
}
