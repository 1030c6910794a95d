/**
 * The key material of asymmetric SIGN_VERIFY keys: RSA and NIST ECC key pairs made with node:crypto,
 * signatures as KMS answers them (PKCS#1 v1.5 or PSS bytes for RSA, DER Ecdsa-Sig-Value for ECDSA),
 * for a whole message (MessageType RAW) or its digest (DIGEST).
 */
import { constants, createECDH, createHash, generateKeyPair, privateEncrypt, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KmsError } from './errors';
import { derSequence, derUnsignedInteger } from '../../../lambda-assets/shared/pki/der-writer';

export const ASYMMETRIC_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'] as const;
export type AsymmetricKeySpec = (typeof ASYMMETRIC_KEY_SPECS)[number];

export function isAsymmetricKeySpec(value: unknown): value is AsymmetricKeySpec {
  return typeof value === 'string' && (ASYMMETRIC_KEY_SPECS as readonly string[]).includes(value);
}

type Hash = 'sha256' | 'sha384' | 'sha512';
const HASH_BYTES: Readonly<Record<Hash, number>> = { sha256: 32, sha384: 48, sha512: 64 };

interface AlgorithmRule {
  readonly scheme: 'PKCS1' | 'PSS' | 'ECDSA';
  readonly hash: Hash;
}

const SIGNING_ALGORITHMS: Readonly<Record<string, AlgorithmRule>> = {
  RSASSA_PSS_SHA_256: { scheme: 'PSS', hash: 'sha256' },
  RSASSA_PSS_SHA_384: { scheme: 'PSS', hash: 'sha384' },
  RSASSA_PSS_SHA_512: { scheme: 'PSS', hash: 'sha512' },
  RSASSA_PKCS1_V1_5_SHA_256: { scheme: 'PKCS1', hash: 'sha256' },
  RSASSA_PKCS1_V1_5_SHA_384: { scheme: 'PKCS1', hash: 'sha384' },
  RSASSA_PKCS1_V1_5_SHA_512: { scheme: 'PKCS1', hash: 'sha512' },
  ECDSA_SHA_256: { scheme: 'ECDSA', hash: 'sha256' },
  ECDSA_SHA_384: { scheme: 'ECDSA', hash: 'sha384' },
  ECDSA_SHA_512: { scheme: 'ECDSA', hash: 'sha512' },
};

const RSA_ALGORITHMS = Object.keys(SIGNING_ALGORITHMS).filter((name) => name.startsWith('RSASSA_'));

/** What KMS lets each key spec sign with: any RSA scheme for RSA keys, one hash per curve for ECC keys. */
export const SIGNING_ALGORITHMS_BY_SPEC: Readonly<Record<AsymmetricKeySpec, readonly string[]>> = {
  RSA_2048: RSA_ALGORITHMS,
  RSA_3072: RSA_ALGORITHMS,
  RSA_4096: RSA_ALGORITHMS,
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
};

/** OpenSSL curve names, and each curve's group order n (SEC 2 / FIPS 186-4); checked against the curve at first use. */
const CURVES: Readonly<Record<string, { readonly name: string; readonly order: bigint }>> = {
  ECC_NIST_P256: { name: 'prime256v1', order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n },
  ECC_NIST_P384: {
    name: 'secp384r1',
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  ECC_NIST_P521: {
    name: 'secp521r1',
    order: 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
};

export interface AsymmetricKeyMaterial {
  readonly spec: AsymmetricKeySpec;
  readonly privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo: what GetPublicKey answers. */
  readonly publicKeyDer: Buffer;
}

const generate = promisify(generateKeyPair);

/** A new key pair (off the event loop: an RSA-4096 key takes a while). */
export async function generateAsymmetricKey(spec: AsymmetricKeySpec): Promise<AsymmetricKeyMaterial> {
  const pair = spec.startsWith('RSA_')
    ? await generate('rsa', { modulusLength: Number(spec.slice('RSA_'.length)) })
    : await generate('ec', { namedCurve: CURVES[spec].name });
  return { spec, privateKey: pair.privateKey, publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }) };
}

export type MessageType = 'RAW' | 'DIGEST';

/** KMS's limit on a RAW message; a DIGEST must be exactly as long as the algorithm's hash. */
export const MAX_RAW_MESSAGE_BYTES = 4096;

/** Signs as KMS's Sign operation does; the caller has checked that the key spec allows the algorithm. */
export function signWithKey(key: AsymmetricKeyMaterial, algorithm: string, message: Buffer, messageType: MessageType): Buffer {
  const rule = SIGNING_ALGORITHMS[algorithm];
  if (messageType === 'RAW') {
    if (message.length < 1 || message.length > MAX_RAW_MESSAGE_BYTES) {
      throw new KmsError('ValidationException', `Message must be 1 to ${MAX_RAW_MESSAGE_BYTES} bytes with MessageType RAW; sign a digest (MessageType DIGEST) for longer messages`);
    }
    return rule.scheme === 'PSS'
      // KMS's PSS signatures use MGF1 with the same hash and a salt as long as the hash.
      ? sign(rule.hash, message, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[rule.hash] })
      : sign(rule.hash, message, { key: key.privateKey, dsaEncoding: 'der' });
  }
  if (message.length !== HASH_BYTES[rule.hash]) {
    throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}: expected ${HASH_BYTES[rule.hash]} bytes, got ${message.length}`);
  }
  switch (rule.scheme) {
    case 'PKCS1': return privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_PREFIX[rule.hash], message]));
    case 'ECDSA': return ecdsaSignDigest(key, message);
    default: throw new KmsError('UnsupportedOperationException', `${algorithm} with MessageType DIGEST is not supported by the local KMS; use MessageType RAW`);
  }
}

/** The DER DigestInfo header (RFC 8017, 9.2 note 1) that PKCS#1 v1.5 puts before the hash. */
const DIGEST_INFO_PREFIX: Readonly<Record<Hash, Buffer>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  for (let e = exponent; e > 0n; e /= 2n) {
    if (e % 2n === 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

const checkedCurves = new Set<string>();

/**
 * ECDSA (FIPS 186-4, 6.4) over a digest. Node signs only messages it hashes itself, so the one
 * curve operation needed, k·G, is done by ECDH (the public key of private key k), and the rest is
 * arithmetic modulo the group order.
 */
function ecdsaSignDigest(key: AsymmetricKeyMaterial, digest: Buffer): Buffer {
  const curve = CURVES[key.spec];
  const n = curve.order;
  const nBits = n.toString(2).length;
  const scalarBytes = Math.ceil(nBits / 8);
  checkCurveOrder(curve.name, n, scalarBytes);
  const d = toBigInt(Buffer.from(key.privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  // The leftmost min(nBits, hashBits) bits of the digest, as an integer.
  const hashBits = digest.length * 8;
  const e = hashBits > nBits ? toBigInt(digest) / 2n ** BigInt(hashBits - nBits) : toBigInt(digest);
  const ecdh = createECDH(curve.name);
  for (;;) {
    const k = (toBigInt(randomBytes(scalarBytes + 8)) % (n - 1n)) + 1n;
    ecdh.setPrivateKey(toBytes(k, scalarBytes));
    // Uncompressed point: 04 | x | y; r is x mod n.
    const point = ecdh.getPublicKey();
    const r = toBigInt(point.subarray(1, 1 + (point.length - 1) / 2)) % n;
    if (r === 0n) continue;
    // n is prime: k^-1 = k^(n-2) mod n.
    const s = (modPow(k, n - 2n, n) * ((e + r * d) % n)) % n;
    if (s === 0n) continue;
    return derSequence(derUnsignedInteger(toBytes(r, scalarBytes)), derUnsignedInteger(toBytes(s, scalarBytes)));
  }
}

/** (n - 1)·G = -G shares G's x coordinate, and n·G is the point at infinity: true only of the group order. */
function checkCurveOrder(curveName: string, n: bigint, scalarBytes: number): void {
  if (checkedCurves.has(curveName)) return;
  const xOf = (scalar: bigint) => {
    const ecdh = createECDH(curveName);
    ecdh.setPrivateKey(toBytes(scalar, scalarBytes));
    const point = ecdh.getPublicKey();
    return point.subarray(1, 1 + (point.length - 1) / 2).toString('hex');
  };
  let orderIsInfinity = false;
  try {
    xOf(n);
  } catch {
    orderIsInfinity = true;
  }
  if (!orderIsInfinity || xOf(n - 1n) !== xOf(1n)) throw new Error(`the local KMS has a wrong group order for ${curveName}`);
  checkedCurves.add(curveName);
}

/** For tests and diagnostics: the digest KMS would sign for a RAW message. */
export function digestOf(algorithm: string, message: Uint8Array): Buffer {
  return createHash(SIGNING_ALGORITHMS[algorithm].hash).update(message).digest();
}
