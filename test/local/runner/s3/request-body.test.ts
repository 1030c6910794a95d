import { createHash } from 'node:crypto';
import { checksumOf, decodeAwsChunked } from '../../../../local/runner/s3';
import { decodeRequestBody } from '../../../../local/runner/s3/request-body';

function chunked(parts: string[], trailers: string): Buffer {
  const body = parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('');
  return Buffer.from(`${body}0\r\n${trailers}\r\n`);
}

const STREAMING = {
  'content-encoding': 'aws-chunked',
  'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'x-amz-trailer': 'x-amz-checksum-crc32',
};

describe('aws-chunked bodies', () => {
  test('decodes chunks (with or without chunk signatures) and trailers', () => {
    const raw = Buffer.from('5;chunk-signature=abc\r\nhello\r\n1\r\n!\r\n0\r\nx-amz-checksum-crc32:AAAA\r\nx-amz-trailer-signature:def\r\n\r\n');
    expect(decodeAwsChunked(raw)).toEqual({ payload: Buffer.from('hello!'), trailers: { 'x-amz-checksum-crc32': 'AAAA', 'x-amz-trailer-signature': 'def' } });
  });

  test('verifies the trailing checksum', () => {
    const good = chunked(['hello ', 'world'], `x-amz-checksum-crc32:${checksumOf('crc32', Buffer.from('hello world'))}\r\n`);
    expect(decodeRequestBody({ ...STREAMING, 'x-amz-decoded-content-length': '11' }, good)).toEqual({
      data: Buffer.from('hello world'),
      checksums: { crc32: checksumOf('crc32', Buffer.from('hello world')) },
    });
    const bad = chunked(['hello ', 'world'], `x-amz-checksum-crc32:${checksumOf('crc32', Buffer.from('hello there'))}\r\n`);
    expect(() => decodeRequestBody(STREAMING, bad)).toThrow(expect.objectContaining({ code: 'BadDigest', httpStatus: 400 }));
  });

  test('a missing announced trailer, a wrong decoded length or broken framing is refused', () => {
    expect(() => decodeRequestBody(STREAMING, chunked(['x'], ''))).toThrow(expect.objectContaining({ code: 'MalformedTrailerError' }));
    const crc = `x-amz-checksum-crc32:${checksumOf('crc32', Buffer.from('x'))}\r\n`;
    expect(() => decodeRequestBody({ ...STREAMING, 'x-amz-decoded-content-length': '2' }, chunked(['x'], crc)))
      .toThrow(expect.objectContaining({ code: 'IncompleteBody' }));
    expect(() => decodeAwsChunked(Buffer.from('a\r\nshort\r\n'))).toThrow(expect.objectContaining({ code: 'IncompleteBody' }));
    expect(() => decodeAwsChunked(Buffer.from('zz\r\n'))).toThrow(expect.objectContaining({ code: 'IncompleteBody' }));
  });
});

describe('plain bodies', () => {
  const data = Buffer.from('payload');

  test('a signed payload hash must match the body', () => {
    const sha = createHash('sha256').update(data).digest('hex');
    expect(decodeRequestBody({ 'x-amz-content-sha256': sha }, data).data).toEqual(data);
    expect(() => decodeRequestBody({ 'x-amz-content-sha256': sha }, Buffer.from('tampered')))
      .toThrow(expect.objectContaining({ code: 'XAmzContentSHA256Mismatch' }));
  });

  test('flexible checksum headers are verified, crc32c / sha1 / sha256 included', () => {
    for (const algorithm of ['crc32', 'crc32c', 'sha1', 'sha256'] as const) {
      const header = `x-amz-checksum-${algorithm}`;
      expect(decodeRequestBody({ [header]: checksumOf(algorithm, data) }, data).checksums).toEqual({ [algorithm]: checksumOf(algorithm, data) });
      expect(() => decodeRequestBody({ [header]: checksumOf(algorithm, Buffer.from('x')) }, data)).toThrow(expect.objectContaining({ code: 'BadDigest' }));
    }
    // Known CRC-32C check value of "123456789".
    expect(Buffer.from(checksumOf('crc32c', Buffer.from('123456789')), 'base64').readUInt32BE()).toBe(0xe3069283);
    expect(() => decodeRequestBody({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }, data)).toThrow(expect.objectContaining({ code: 'InvalidRequest' }));
  });

  test('Content-MD5: malformed is InvalidDigest, wrong is BadDigest', () => {
    expect(() => decodeRequestBody({ 'content-md5': 'nope' }, data)).toThrow(expect.objectContaining({ code: 'InvalidDigest' }));
    expect(() => decodeRequestBody({ 'content-md5': createHash('md5').update('x').digest('base64') }, data))
      .toThrow(expect.objectContaining({ code: 'BadDigest' }));
  });
});
