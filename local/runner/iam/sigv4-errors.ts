import { isS3Service } from './canonical-request';
import { AuthenticationError } from './types';

/**
 * The error each SigV4 failure produces, per service: S3 answers with its own XML error codes
 * (SignatureDoesNotMatch, InvalidAccessKeyId, ...), every JSON/REST service with the common ones.
 */
export class SigV4Errors {
  private readonly s3: boolean;

  constructor(readonly service: string) {
    this.s3 = isS3Service(service);
  }

  missingAuthentication(): AuthenticationError {
    return new AuthenticationError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  }

  malformed(detail: string): AuthenticationError {
    return this.s3
      ? new AuthenticationError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`, 400)
      : new AuthenticationError('IncompleteSignatureException', detail, 400);
  }

  unknownAccessKey(): AuthenticationError {
    return this.s3
      ? new AuthenticationError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403)
      : new AuthenticationError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  }

  invalidSecurityToken(): AuthenticationError {
    return this.s3
      ? new AuthenticationError('InvalidToken', 'The provided token is malformed or otherwise invalid.', 400)
      : new AuthenticationError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  }

  signatureMismatch(): AuthenticationError {
    return this.s3
      ? new AuthenticationError('SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403)
      : new AuthenticationError('InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 403);
  }

  wrongRegion(received: string, expected: string): AuthenticationError {
    return this.s3
      ? new AuthenticationError('AuthorizationHeaderMalformed',
        `The authorization header is malformed; the region '${received}' is wrong; expecting '${expected}'`, 400)
      : new AuthenticationError('InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${received}'. Expected '${expected}'.`, 403);
  }

  wrongService(received: string): AuthenticationError {
    return this.s3
      ? new AuthenticationError('AuthorizationHeaderMalformed',
        `The authorization header is malformed; incorrect service '${received}'. This endpoint belongs to '${this.service}'.`, 400)
      : new AuthenticationError('InvalidSignatureException',
        `Credential should be scoped to correct service: '${this.service}'. `, 403);
  }

  scopeDateMismatch(scopeDate: string, longDate: string): AuthenticationError {
    const detail = `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${longDate.slice(0, 8)}', from '${longDate}'.`;
    return this.s3
      ? new AuthenticationError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`, 400)
      : new AuthenticationError('InvalidSignatureException', detail, 403);
  }

  /** `detail` says which way the clock is off, in the words AWS uses (`Signature expired: ...`). */
  outsideClockWindow(detail: string): AuthenticationError {
    return this.s3
      ? new AuthenticationError('RequestTimeTooSkewed', `The difference between the request time and the current time is too large. ${detail}`, 403)
      : new AuthenticationError('InvalidSignatureException', detail, 403);
  }

  presignedUrlExpired(): AuthenticationError {
    return new AuthenticationError('AccessDenied', 'Request has expired', 403);
  }

  payloadHashMismatch(): AuthenticationError {
    return this.s3
      ? new AuthenticationError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400)
      : this.signatureMismatch();
  }
}
