import { createHash } from 'node:crypto';
import { childrenOf, decodeObjectIdentifier, DER_TAG, expectElement } from './der';
import { pkiError } from './errors';
import type { EcKeyImportParams, RsaHashedImportParams } from './runtime';

/** What a SubjectPublicKeyInfo holds, read straight from its DER. */
export interface PublicKeyDescription {
  /** 'RSA-2048', 'ECDSA-P256', 'ECDSA-P521'; for keys we refuse something readable: 'RSA-1024', 'EC-secp256k1', 'Ed25519'. */
  readonly label: string;
  /** True for keys AWS IoT accepts: RSA >= 2048 bits, ECDSA on P-256, P-384 or P-521. */
  readonly acceptedByAwsIot: boolean;
  /** How to import the key into WebCrypto; set only for accepted keys. */
  readonly importParams?: RsaHashedImportParams | EcKeyImportParams;
  /** 'RSA' or 'ECDSA' for accepted keys, so callers can pick key usages (keyEncipherment is RSA only). */
  readonly family?: 'RSA' | 'ECDSA';
}

const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** Curves AWS IoT accepts, by OID. */
const ACCEPTED_CURVES: Readonly<Record<string, { webName: string; label: string }>> = {
  '1.2.840.10045.3.1.7': { webName: 'P-256', label: 'ECDSA-P256' },
  '1.3.132.0.34': { webName: 'P-384', label: 'ECDSA-P384' },
  '1.3.132.0.35': { webName: 'P-521', label: 'ECDSA-P521' },
};

/** Names for keys we refuse, so the error says what the caller sent. */
const REFUSED_NAMES: Readonly<Record<string, string>> = {
  '1.3.132.0.10': 'EC-secp256k1',
  '1.2.840.10045.3.1.1': 'EC-P192',
  '1.3.132.0.33': 'EC-P224',
  '1.3.36.3.3.2.8.1.1.7': 'EC-brainpoolP256r1',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.113549.1.1.10': 'RSA-PSS',
  '1.2.840.10040.4.1': 'DSA',
};

/** Smallest RSA modulus AWS IoT accepts. */
const MIN_RSA_BITS = 2048;

interface SubjectPublicKeyInfoParts {
  algorithmOid: string;
  /** The OID in the AlgorithmIdentifier's parameters (the curve, for EC keys), if there is one. */
  parameterOid?: string;
  /** The subjectPublicKey BIT STRING's content without its leading unused-bits byte. */
  keyBits: Uint8Array;
}

function splitSubjectPublicKeyInfo(spki: Uint8Array): SubjectPublicKeyInfoParts {
  const outer = expectElement(spki, 0, DER_TAG.SEQUENCE);
  const [algorithm, subjectPublicKey] = childrenOf(spki, outer);
  if (!algorithm || !subjectPublicKey || algorithm.tag !== DER_TAG.SEQUENCE || subjectPublicKey.tag !== DER_TAG.BIT_STRING) {
    throw pkiError('MALFORMED_PEM', 'malformed SubjectPublicKeyInfo');
  }
  const [oid, parameters] = childrenOf(spki, algorithm);
  if (!oid || oid.tag !== DER_TAG.OBJECT_IDENTIFIER) {
    throw pkiError('MALFORMED_PEM', 'malformed public key algorithm identifier');
  }
  return {
    algorithmOid: decodeObjectIdentifier(spki, oid),
    parameterOid: parameters?.tag === DER_TAG.OBJECT_IDENTIFIER ? decodeObjectIdentifier(spki, parameters) : undefined,
    keyBits: spki.subarray(subjectPublicKey.contentStart + 1, subjectPublicKey.end),
  };
}

/** Bit length of a DER INTEGER's magnitude (ignores the sign-padding zero bytes). */
function integerBitLength(bytes: Uint8Array, start: number, end: number): number {
  let first = start;
  while (first < end && bytes[first] === 0) {
    first++;
  }
  if (first === end) {
    return 0;
  }
  return (end - first - 1) * 8 + bytes[first].toString(2).length;
}

function rsaModulusBits(keyBits: Uint8Array): number {
  const rsaPublicKey = expectElement(keyBits, 0, DER_TAG.SEQUENCE);
  const modulus = expectElement(keyBits, rsaPublicKey.contentStart, DER_TAG.INTEGER, rsaPublicKey.end);
  return integerBitLength(keyBits, modulus.contentStart, modulus.end);
}

/** Describes a DER SubjectPublicKeyInfo. Throws MALFORMED_PEM only if the DER itself is broken. */
export function describePublicKey(spki: Uint8Array): PublicKeyDescription {
  const { algorithmOid, parameterOid, keyBits } = splitSubjectPublicKeyInfo(spki);
  if (algorithmOid === OID_RSA_ENCRYPTION) {
    const bits = rsaModulusBits(keyBits);
    const label = `RSA-${bits}`;
    if (bits < MIN_RSA_BITS) {
      return { label, acceptedByAwsIot: false };
    }
    // Import as PKCS#1 v1.5 / SHA-256: the only RSA signature scheme we produce or verify with.
    return { label, acceptedByAwsIot: true, family: 'RSA', importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  }
  if (algorithmOid === OID_EC_PUBLIC_KEY) {
    const curve = parameterOid ? ACCEPTED_CURVES[parameterOid] : undefined;
    if (!curve) {
      return { label: (parameterOid && REFUSED_NAMES[parameterOid]) ?? `EC-${parameterOid ?? 'explicit-parameters'}`, acceptedByAwsIot: false };
    }
    return { label: curve.label, acceptedByAwsIot: true, family: 'ECDSA', importParams: { name: 'ECDSA', namedCurve: curve.webName } };
  }
  return { label: REFUSED_NAMES[algorithmOid] ?? algorithmOid, acceptedByAwsIot: false };
}

/** Like describePublicKey, but throws UNSUPPORTED_KEY for a key AWS IoT would refuse. */
export function requireAcceptedPublicKey(spki: Uint8Array, what: string): PublicKeyDescription & Required<Pick<PublicKeyDescription, 'importParams' | 'family'>> {
  const description = describePublicKey(spki);
  if (!description.acceptedByAwsIot || !description.importParams || !description.family) {
    throw pkiError('UNSUPPORTED_KEY',
      `${what} is ${description.label}; AWS IoT accepts RSA of at least ${MIN_RSA_BITS} bits or ECDSA on P-256, P-384 or P-521`);
  }
  return { ...description, importParams: description.importParams, family: description.family };
}

/**
 * The key identifier of RFC 5280 section 4.2.1.2, method 1: SHA-1 of the subjectPublicKey bits.
 * It is what OpenSSL writes as subjectKeyIdentifier, so our AKIs match CAs made by OpenSSL too.
 */
export function keyIdentifierOf(spki: Uint8Array): string {
  return createHash('sha1').update(splitSubjectPublicKeyInfo(spki).keyBits).digest('hex');
}
