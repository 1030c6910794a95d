/**
 * Just enough DER writing to assemble a certificate from pieces that are already DER (names,
 * public keys, extensions). It replaces a generic ASN.1 serializer on the issuance hot path,
 * where that serializer's parse-after-serialize round trips cost more than the signature itself.
 */

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OBJECT_IDENTIFIER: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** [3] EXPLICIT, constructed: the extensions field of a TBSCertificate. */
  CONTEXT_3: 0xa3,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) {
    return Buffer.from([length]);
  }
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.unshift(rest % 256);
  }
  return Buffer.from([0x80 + bytes.length, ...bytes]);
}

/** One TLV whose content is the given parts, concatenated. */
export function derElement(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export function derSequence(...content: Uint8Array[]): Buffer {
  return derElement(TAG.SEQUENCE, ...content);
}

/**
 * A non-negative INTEGER from big-endian magnitude bytes: leading zeros dropped, and one 0x00
 * put back when the top bit is set, so the value stays positive and the encoding minimal.
 */
export function derUnsignedInteger(magnitude: Uint8Array): Buffer {
  let first = 0;
  while (first < magnitude.length - 1 && magnitude[first] === 0) {
    first++;
  }
  const trimmed = magnitude.subarray(first);
  const content = trimmed[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return derElement(TAG.INTEGER, content);
}

/** A BIT STRING of whole bytes (zero unused bits), as signatures and keys are. */
export function derBitString(bytes: Uint8Array): Buffer {
  return derElement(TAG.BIT_STRING, Buffer.from([0]), bytes);
}

export function derOctetString(bytes: Uint8Array): Buffer {
  return derElement(TAG.OCTET_STRING, bytes);
}

/**
 * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC with whole
 * seconds ("YYMMDDHHMMSSZ" / "YYYYMMDDHHMMSSZ").
 */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const rest = [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map(part => String(part).padStart(2, '0'))
    .join('');
  return year < 2050
    ? derElement(TAG.UTC_TIME, Buffer.from(`${String(year % 100).padStart(2, '0')}${rest}Z`, 'latin1'))
    : derElement(TAG.GENERALIZED_TIME, Buffer.from(`${String(year).padStart(4, '0')}${rest}Z`, 'latin1'));
}
