import { DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CaVaultLocation, normalizePrefix, vaultWriteParams } from './ca-vault';

/** The files a fleet provisioning claim keeps in the vault, under `<prefix>/claims/<certificateId>/`. */
export const CLAIM_FILES = {
  certificate: 'claim.cert.pem',
  privateKey: 'claim.private_key.pem',
} as const;

export type ClaimFileName = (typeof CLAIM_FILES)[keyof typeof CLAIM_FILES];

/** The claim certificate and its private key, as the vault stores them. */
export interface ClaimMaterial {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const CERTIFICATE_ID = /^[0-9a-f]{64}$/;

/**
 * Fleet provisioning claim certificates in the same S3 vault as the CAs, beside them under
 * `claims/`, every object SSE-KMS under the vault key. Devices get the claim from there (at the
 * factory); the claim's private key is never returned or logged by the handlers.
 */
export class ClaimVault {
  constructor(
    private readonly s3: S3Client,
    private readonly location: CaVaultLocation,
  ) {}

  objectKey(certificateId: string, file: ClaimFileName): string {
    // The id becomes part of the key: only an AWS IoT certificate id may, never a path.
    if (!CERTIFICATE_ID.test(certificateId)) throw new Error('a claim is named by its AWS IoT certificate id (64 lowercase hex characters)');
    const prefix = normalizePrefix(this.location.prefix);
    const relative = `claims/${certificateId}/${file}`;
    return prefix ? `${prefix}/${relative}` : relative;
  }

  /** Writes the certificate first, then the key; each PutObject SSE-KMS. */
  async putClaim(certificateId: string, claim: ClaimMaterial): Promise<void> {
    const files: [ClaimFileName, string][] = [
      [CLAIM_FILES.certificate, claim.certificatePem],
      [CLAIM_FILES.privateKey, claim.privateKeyPem],
    ];
    for (const [file, body] of files) {
      await this.s3.send(new PutObjectCommand(vaultWriteParams(this.location, this.objectKey(certificateId, file), body, 'application/x-pem-file')));
    }
  }

  /**
   * Removes both files in one call. Files already gone are no error (S3 deletes missing keys
   * quietly); a key S3 could not delete is (DeleteObjects reports it in Errors, not by throwing).
   */
  async removeClaim(certificateId: string): Promise<void> {
    const { Errors: errors } = await this.s3.send(new DeleteObjectsCommand({
      Bucket: this.location.bucket,
      Delete: {
        Objects: Object.values(CLAIM_FILES).map((file) => ({ Key: this.objectKey(certificateId, file) })),
        Quiet: true,
      },
    }));
    if (errors && errors.length > 0) {
      const failed = errors.map((error) => `${error.Key} (${error.Code ?? 'error'}: ${error.Message ?? 'no message'})`).join(', ');
      throw new Error(`the vault could not delete ${failed}`);
    }
  }
}
