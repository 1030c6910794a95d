import { requiredString, type OptionValues } from './command';
import { fileError } from './exit-codes';
import { readInputFile } from './files';
import { loadCertificateAuthority, PkiError, type CertificateAuthority } from '../../lambda-assets/shared/pki';

/** A CA whose certificate and key are local files (--ca-cert, --ca-key). */
export interface LocalCa {
  readonly authority: CertificateAuthority;
  readonly certificatePem: string;
  readonly certificateFile: string;
}

/**
 * Loads the CA of `--ca-cert` and `--ca-key`, and proves the key is the certificate's: signing
 * with the wrong key would make certificates nobody can verify.
 */
export async function loadLocalCa(values: OptionValues, why: string): Promise<LocalCa> {
  const certificateFile = requiredString(values, 'ca-cert', why);
  const keyFile = requiredString(values, 'ca-key', why);
  const certificatePem = readInputFile('ca-cert', certificateFile);
  const keyPem = readInputFile('ca-key', keyFile);
  try {
    return { authority: await loadCertificateAuthority(certificatePem, keyPem), certificatePem, certificateFile };
  } catch (error) {
    if (error instanceof PkiError) {
      throw fileError(`--ca-cert ${certificateFile} / --ca-key ${keyFile}: ${error.message}`,
        'give the certificate and the unencrypted PKCS#8 or PKCS#1/SEC1 key of a CA (as `ca create` writes them)');
    }
    throw error;
  }
}
