import { timingSafeEqual } from 'node:crypto';
import { CanonicalRequestBuilder, isS3Service, type ReceivedRequestParts } from './canonical-request';
import { hmacSha256, sha256Hex } from './node-sha256';
import { claimFromAuthorizationHeader, claimFromQuery, headerValue, type SignatureClaim } from './signature-claim';
import { SigV4Errors } from './sigv4-errors';
import type { LocalCredentials, Principal, SignedHttpRequest } from './types';

/** How far a signing time may be from the server's clock, as in AWS. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export interface KnownAccessKey {
  readonly credentials: LocalCredentials;
  readonly principal: Principal;
}

export interface SigV4VerifierOptions {
  /** The region every credential scope must name. */
  readonly region: string;
  /** Finds the credentials and principal behind an access key id, or undefined for an unknown key. */
  readonly lookup: (accessKeyId: string) => KnownAccessKey | undefined;
  /** The server's clock; injectable so tests can check expiry. */
  readonly now?: () => Date;
}

/** Checks AWS Signature Version 4 (Authorization header, or S3 presigned query) by recomputing it. */
export class SigV4Verifier {
  private readonly builders = new Map<string, CanonicalRequestBuilder>();

  constructor(private readonly options: SigV4VerifierOptions) {}

  /** Answers the principal behind a correctly signed request; throws AuthenticationError otherwise. */
  verify(request: SignedHttpRequest, service: string): Principal {
    const errors = new SigV4Errors(service);
    const { rawPath, query } = splitTarget(request.url, errors);
    const claim = this.readClaim(request, query, errors);
    const presigned = claim.expiresInSeconds !== undefined;

    const signedAt = parseLongDate(claim.longDate);
    if (signedAt === undefined) throw errors.malformed(`X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z', not '${claim.longDate}'.`);
    if (claim.region !== this.options.region) throw errors.wrongRegion(claim.region, this.options.region);
    if (claim.service !== service) throw errors.wrongService(claim.service);
    if (claim.scopeDate !== claim.longDate.slice(0, 8)) throw errors.scopeDateMismatch(claim.scopeDate, claim.longDate);
    this.checkClock(claim, signedAt, errors);

    const known = this.options.lookup(claim.accessKeyId);
    if (!known) throw errors.unknownAccessKey();
    // Temporary credentials are only valid together with their session token, and long-term ones without any.
    if (claim.securityToken !== known.credentials.sessionToken) throw errors.invalidSecurityToken();

    const signedHeaders = new Map<string, string>();
    for (const name of claim.signedHeaders) {
      const value = headerValue(request.headers, name);
      // A header the client signed but that did not arrive: the signature cannot match.
      if (value === undefined) throw errors.signatureMismatch();
      signedHeaders.set(name, value);
    }
    const payloadHash = presigned ? presignedPayloadHash(query) : headerPayloadHash(request);
    const parts: ReceivedRequestParts = { method: request.method, rawPath, query, signedHeaders };
    const expected = this.signatureFor(parts, payloadHash, claim, known.credentials, service);
    if (!sameHex(expected, claim.signature)) throw errors.signatureMismatch();

    // The payload hash is only a claim until compared with the body that arrived (S3 does this too).
    if (!presigned && HEX_SHA256.test(payloadHash) && payloadHash.toLowerCase() !== sha256Hex(request.body)) {
      throw errors.payloadHashMismatch();
    }
    return known.principal;
  }

  private readClaim(request: SignedHttpRequest, query: ReceivedRequestParts['query'], errors: SigV4Errors): SignatureClaim {
    const authorization = headerValue(request.headers, 'authorization');
    if (authorization) return claimFromAuthorizationHeader(authorization, request.headers, errors);
    const lowerCasedQuery = new Map(query.map(([key, value]) => [key.toLowerCase(), value] as const));
    if (isS3Service(errors.service) && lowerCasedQuery.has('x-amz-signature')) return claimFromQuery(lowerCasedQuery, errors);
    throw errors.missingAuthentication();
  }

  private checkClock(claim: SignatureClaim, signedAt: Date, errors: SigV4Errors): void {
    const now = (this.options.now ?? (() => new Date()))();
    const nowText = toLongDate(now);
    if (signedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
      throw errors.outsideClockWindow(
        `Signature not yet current: ${claim.longDate} is still later than ${toLongDate(new Date(now.getTime() + MAX_CLOCK_SKEW_MS))} (${nowText} + 15 min.)`);
    }
    if (claim.expiresInSeconds !== undefined) {
      if (now.getTime() > signedAt.getTime() + claim.expiresInSeconds * 1000) throw errors.presignedUrlExpired();
      return;
    }
    if (signedAt.getTime() < now.getTime() - MAX_CLOCK_SKEW_MS) {
      throw errors.outsideClockWindow(
        `Signature expired: ${claim.longDate} is now earlier than ${toLongDate(new Date(now.getTime() - MAX_CLOCK_SKEW_MS))} (${nowText} - 15 min.)`);
    }
  }

  private signatureFor(
    parts: ReceivedRequestParts, payloadHash: string, claim: SignatureClaim, credentials: LocalCredentials, service: string,
  ): string {
    let builder = this.builders.get(service);
    if (!builder) {
      builder = new CanonicalRequestBuilder(service);
      this.builders.set(service, builder);
    }
    const canonicalRequest = builder.build(parts, payloadHash);
    const scope = `${claim.scopeDate}/${claim.region}/${claim.service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', claim.longDate, scope, sha256Hex(canonicalRequest)].join('\n');
    let key: Buffer = hmacSha256(`AWS4${credentials.secretAccessKey}`, claim.scopeDate);
    for (const part of [claim.region, claim.service, 'aws4_request']) key = hmacSha256(key, part);
    return hmacSha256(key, stringToSign).toString('hex');
  }
}

/**
 * S3 clients state the payload hash in x-amz-content-sha256: a hex digest, UNSIGNED-PAYLOAD, or a
 * STREAMING-... marker for aws-chunked bodies; whatever it says is what was signed. Other services
 * may leave it out, and then the body's own hash was signed.
 */
function headerPayloadHash(request: SignedHttpRequest): string {
  return headerValue(request.headers, 'x-amz-content-sha256') ?? sha256Hex(request.body);
}

function presignedPayloadHash(query: ReceivedRequestParts['query']): string {
  return query.find(([key]) => key.toLowerCase() === 'x-amz-content-sha256')?.[1] ?? 'UNSIGNED-PAYLOAD';
}

function splitTarget(url: string, errors: SigV4Errors): { rawPath: string; query: ReceivedRequestParts['query'] } {
  const questionMark = url.indexOf('?');
  const rawPath = questionMark < 0 ? url : url.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? '' : url.slice(questionMark + 1);
  const query: (readonly [string, string])[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const [key, value] = equals < 0 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    try {
      // SDKs percent-encode everything, so '+' is a literal plus here, not a space.
      query.push([decodeURIComponent(key), decodeURIComponent(value)]);
    } catch {
      throw errors.malformed(`the query string parameter '${pair}' is not valid percent-encoding.`);
    }
  }
  return { rawPath: rawPath === '' ? '/' : rawPath, query };
}

function parseLongDate(longDate: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function toLongDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function sameHex(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
