import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parseKmsCaKeyRecord, type KmsCaKeyRecord } from '../shared/kms/kms-ca-key';
import { CA_FILES, CaVault, type CaVaultLocation } from '../shared/vault/ca-vault';

const CA_CERTIFICATE_ID = /^[0-9a-f]{64}$/;

/** What the vault says of one CA's key: a record, no record (a CA whose key the vault holds), or a record that is not one. */
export type CaKeyRecordRead =
  | { readonly caCertificateId: string; readonly record: KmsCaKeyRecord }
  | { readonly caCertificateId: string; readonly record?: undefined; readonly malformed?: string };

/**
 * The CA folders of the vault, one ListObjectsV2 page at a time. Listed with a delimiter, so the
 * pages count CAs, not the device certificate records each CA folder holds (`issued/`).
 */
export async function* caFolders(s3: S3Client, location: CaVaultLocation): AsyncGenerator<string> {
  const prefix = location.prefix ? `${location.prefix}/` : '';
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({
      Bucket: location.bucket, Prefix: prefix || undefined, Delimiter: '/', ContinuationToken: token,
    }));
    for (const { Prefix: folder } of page.CommonPrefixes ?? []) {
      const name = folder?.slice(prefix.length, -1);
      // claims/ and anything else that is not named by a CA certificate id holds no CA key record.
      if (name && CA_CERTIFICATE_ID.test(name)) yield name;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Reads `<caId>/ca.kms_key.json`. S3 errors go to the caller: without the record the key cannot be found again. */
export async function readCaKeyRecord(vault: CaVault, caCertificateId: string): Promise<CaKeyRecordRead> {
  const text = await vault.readFile(caCertificateId, CA_FILES.kmsKey);
  if (text === undefined) return { caCertificateId };
  try {
    return { caCertificateId, record: parseKmsCaKeyRecord(text, vault.objectKey(caCertificateId, CA_FILES.kmsKey)) };
  } catch (error) {
    return { caCertificateId, malformed: (error as Error).message };
  }
}
