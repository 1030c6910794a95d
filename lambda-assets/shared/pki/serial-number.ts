import { randomFillSync } from 'node:crypto';

/** 128 bits of CSPRNG output: collisions are out of reach even across billions of certificates. */
const SERIAL_RANDOM_BYTES = 16;

/**
 * A fresh random certificate serial number: the content bytes of its DER INTEGER.
 *
 * All 128 random bits are kept. DER integers are signed and minimal, so leading zero bytes are
 * dropped and, when the top bit is set, a single 0x00 is prepended to keep the number positive
 * (RFC 5280 4.1.2.2: positive, at most 20 octets; at most 17 here). Earlier tools issued every
 * certificate with the same serial; this never repeats in practice.
 */
export function randomSerialNumber(): Buffer {
  const random = Buffer.alloc(SERIAL_RANDOM_BYTES);
  let first = 0;
  do {
    randomFillSync(random);
    first = random.findIndex(byte => byte !== 0);
  } while (first === -1); // zero is not a valid serial; a 2^-128 event, but cheap to rule out
  const magnitude = random.subarray(first);
  return magnitude[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
}
