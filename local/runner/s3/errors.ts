/** An S3 error: the code, HTTP status and extra elements (Key, BucketName, ...) S3 puts in its XML error body. */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    /** Extra children of <Error>, e.g. { Key: 'a/b' }, and headers such as x-amz-delete-marker. */
    readonly details: Readonly<Record<string, string>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

export const s3Errors = {
  noSuchBucket: (bucket: string) => new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string, headers: Record<string, string> = {}) =>
    new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }, headers),
  noSuchVersion: (key: string, versionId: string) =>
    new S3Error('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId }),
  accessDenied: (message = 'Access Denied') => new S3Error('AccessDenied', message, 403),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', message, 400),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new S3Error('InvalidArgument', message, 400, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' }),
  badDigest: (message: string) => new S3Error('BadDigest', message, 400),
  invalidDigest: (message: string) => new S3Error('InvalidDigest', message, 400),
  malformedXml: () => new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400),
  invalidRange: (size: number) => new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, { ActualObjectSize: String(size) }),
  notImplemented: (what: string) => new S3Error('NotImplemented', `${what} is not implemented by the local S3`, 501),
  preconditionFailed: (condition: string) =>
    new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition }),
  methodNotAllowed: (message: string, headers: Record<string, string> = {}) =>
    new S3Error('MethodNotAllowed', message, 405, {}, headers),
};
