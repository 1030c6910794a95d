import { createPublicKey, X509Certificate } from 'node:crypto';
import { GetPublicKeyCommand, type GetPublicKeyCommandOutput, type KMSClient } from '@aws-sdk/client-kms';
import { kmsClient, type AwsSettings } from './aws/aws-settings';
import { kmsCall } from './aws/kms-errors';
import { requiredString, type OptionValues } from './command';
import { fileError, usageError } from './exit-codes';
import { readInputFile } from './files';
import type { LocalCa } from './local-ca';
import type { Output } from './output';
import { KMS_CA_KEY_ALGORITHMS, KMS_CA_KEY_SPECS, kmsSigner, type KmsCaKeyRecord } from '../../lambda-assets/shared/kms/kms-ca-key';
import { inspectCertificate, loadCertificateAuthorityWithSigner, PkiError } from '../../lambda-assets/shared/pki';

/** A key ARN or alias ARN (its Region is the one to call), a key id (a UUID, or mrk-... for multi-Region keys), or alias/NAME. */
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(?:key|alias)\/[\w/.:-]+$/;
const KEY_ID_OR_ALIAS = /^(?:[0-9a-zA-Z-]{1,128}|alias\/[\w/.:-]{1,250})$/;

const KEY_HINT = 'give the CA certificate and the KMS key that holds its private key (for a stack-made CA: the keyArn of its ca.kms_key.json in the vault)';

/** A CA whose certificate is a local file and whose key AWS KMS holds (--ca-cert, --kms-key). */
export interface KmsCa extends LocalCa {
  /** The key's ARN, as GetPublicKey answered it: every signature names this key, whatever alias --kms-key gave. */
  readonly keyArn: string;
}

/**
 * Loads the CA of `--ca-cert` whose key is the KMS key `--kms-key`. The key is refused unless it
 * is an asymmetric SIGN_VERIFY key of a CA key spec whose public key is the certificate's: a
 * wrong key would sign certificates nobody can verify. Signing goes through KMS Sign, and the PKI
 * checks each signature with the certificate's public key before building on it.
 */
export async function loadKmsCa(values: OptionValues, settings: AwsSettings, out: Output): Promise<KmsCa> {
  const certificateFile = requiredString(values, 'ca-cert', 'with --kms-key: the certificate of the CA whose key KMS holds');
  const keyId = requiredString(values, 'kms-key');
  const region = regionForKey(keyId, settings.region);
  const certificatePem = readInputFile('ca-cert', certificateFile);
  requireCaCertificate(certificatePem, certificateFile);

  const kms = await kmsClient({ ...settings, region });
  const answer = await out.step(`KMS GetPublicKey ${keyId}`, () => kmsCall('GetPublicKey', keyId, () => getPublicKey(kms, keyId), settings.endpointUrl));
  const record = caKeyRecord(answer, keyId);
  const kmsPublicKey = createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' });
  if (!kmsPublicKey.equals(new X509Certificate(certificatePem).publicKey)) {
    throw usageError(`--kms-key ${keyId} is not the key of --ca-cert ${certificateFile}: their public keys differ`, KEY_HINT);
  }
  try {
    const authority = loadCertificateAuthorityWithSigner(certificatePem, kmsSigner(kms, record));
    return { authority, certificatePem, certificateFile, keyArn: record.keyArn };
  } catch (error) {
    if (error instanceof PkiError) throw fileError(`--ca-cert ${certificateFile} / --kms-key ${keyId}: ${error.message}`, KEY_HINT);
    throw error;
  }
}

/** The Region of a key ARN (where the key lives), else the configured one; an ARN and --region that disagree are a usage error. */
function regionForKey(keyId: string, configured: string | undefined): string | undefined {
  if (!KEY_ARN.test(keyId) && !KEY_ID_OR_ALIAS.test(keyId)) {
    throw usageError(`--kms-key: "${keyId}" is not a KMS key id, key ARN, alias/NAME or alias ARN`);
  }
  const arnRegion = KEY_ARN.exec(keyId)?.[1];
  if (arnRegion && configured && arnRegion !== configured) {
    throw usageError(`--kms-key names a key in ${arnRegion}, but --region is ${configured}`, 'a KMS key lives in one Region: drop --region, or name the key in that Region');
  }
  return arnRegion ?? configured;
}

function requireCaCertificate(certificatePem: string, certificateFile: string): void {
  try {
    if (!inspectCertificate(certificatePem).isCa) {
      throw fileError(`--ca-cert ${certificateFile} is not a CA certificate (no basicConstraints CA:TRUE)`, KEY_HINT);
    }
  } catch (error) {
    if (error instanceof PkiError) throw fileError(`--ca-cert ${certificateFile}: ${error.message}`, KEY_HINT);
    throw error;
  }
}

/** GetPublicKey; a symmetric key has none, which KMS answers as an unsupported operation: a key of the wrong kind, like any other. */
async function getPublicKey(kms: KMSClient, keyId: string): Promise<GetPublicKeyCommandOutput> {
  try {
    return await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (error) {
    if ((error as Error).name === 'UnsupportedOperationException') throw notACaKey(keyId, 'it is a symmetric key, with no public key');
    throw error;
  }
}

/** How the key signs, if it is a CA key: asymmetric, SIGN_VERIFY, of a spec the construct makes CA keys of. */
function caKeyRecord(answer: GetPublicKeyCommandOutput, keyId: string): KmsCaKeyRecord {
  if (answer.KeyUsage !== 'SIGN_VERIFY') throw notACaKey(keyId, `its KeyUsage is ${answer.KeyUsage ?? 'unknown'}`);
  const algorithm = Object.values(KMS_CA_KEY_ALGORITHMS).find((candidate) => candidate.keySpec === answer.KeySpec);
  if (!algorithm) throw notACaKey(keyId, `its KeySpec is ${answer.KeySpec ?? 'unknown'}`);
  if (!answer.PublicKey || !answer.KeyId) throw new Error(`KMS GetPublicKey answered no public key or key ARN for ${keyId}`);
  return { keyArn: answer.KeyId, keySpec: algorithm.keySpec, signingAlgorithm: algorithm.signingAlgorithm };
}

function notACaKey(keyId: string, why: string) {
  return usageError(`--kms-key ${keyId} is not a CA key: ${why}`,
    `a CA key is an asymmetric SIGN_VERIFY key of ${KMS_CA_KEY_SPECS.join(', ')}`);
}
