/* eslint-disable no-bitwise -- a CRC is bit arithmetic by definition; nothing here can be written without it. */
/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one of S3's flexible checksums; node:zlib only has plain CRC-32. */

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
