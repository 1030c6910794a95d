import { routeS3Request } from '../../../../local/runner/s3';
import { elementsNamed, textOf, xmlDocument } from '../../../../local/runner/s3/xml';

describe('routeS3Request', () => {
  test('path style, as the SDK sends for an IP-address endpoint', () => {
    expect(routeS3Request('PUT', '/vault/a%20b/%C3%BC%2Bx.pem?x-id=PutObject', '127.0.0.1:4566'))
      .toMatchObject({ operation: 'PutObject', bucket: 'vault', key: 'a b/ü+x.pem' });
    expect(routeS3Request('POST', '/vault/?delete=', '127.0.0.1:4566')).toMatchObject({ operation: 'DeleteObjects', bucket: 'vault', key: '' });
    expect(routeS3Request('GET', '/vault?list-type=2&prefix=p', '127.0.0.1:4566')).toMatchObject({ operation: 'ListObjectsV2', bucket: 'vault' });
    expect(routeS3Request('HEAD', '/vault', '127.0.0.1')).toMatchObject({ operation: 'HeadBucket' });
    expect(routeS3Request('DELETE', '/vault/k?versionId=v1', undefined)).toMatchObject({ operation: 'DeleteObject', key: 'k' });
  });

  test('virtual-hosted style on localhost or 127.0.0.1', () => {
    expect(routeS3Request('GET', '/dir/file.txt?x-id=GetObject', 'vault.localhost:4566')).toMatchObject({ operation: 'GetObject', bucket: 'vault', key: 'dir/file.txt' });
    expect(routeS3Request('GET', '/?list-type=2', 'my.bucket.127.0.0.1:80')).toMatchObject({ operation: 'ListObjectsV2', bucket: 'my.bucket' });
  });

  test('what the local S3 does not serve is NotImplemented, not misrouted', () => {
    expect(() => routeS3Request('GET', '/vault/k?tagging', 'localhost')).toThrow(expect.objectContaining({ code: 'NotImplemented', httpStatus: 501 }));
    expect(() => routeS3Request('GET', '/', 'localhost')).toThrow(expect.objectContaining({ code: 'NotImplemented' }));
    expect(() => routeS3Request('GET', '/vault', 'localhost')).toThrow(expect.objectContaining({ code: 'NotImplemented' }));
    expect(() => routeS3Request('POST', '/vault/k', 'localhost')).toThrow(expect.objectContaining({ code: 'MethodNotAllowed' }));
  });
});

describe('xml', () => {
  test('escapes what it writes and unescapes what it reads', () => {
    const doc = xmlDocument('R', { Key: 'a&<b>"\'', Items: [{ N: 1 }, { N: 2 }], Skipped: undefined });
    expect(doc).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Key>a&amp;&lt;b&gt;&quot;&apos;</Key>'
      + '<Items><N>1</N></Items><Items><N>2</N></Items></R>');
    expect(textOf('<Delete><Object><Key>a&amp;b&#x1F511;&#65;</Key></Object></Delete>', 'Key')).toBe('a&b🔑A');
    expect(elementsNamed('<Delete xmlns="x"><Object><Key>1</Key></Object><Object><Key>2</Key></Object></Delete>', 'Object')).toEqual(['<Key>1</Key>', '<Key>2</Key>']);
  });
});
