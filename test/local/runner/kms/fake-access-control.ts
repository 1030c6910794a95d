/**
 * A stand-in for LocalIam in the S3 and KMS tests: real SigV4 verification (recomputing the
 * signature, synchronously as the contract requires) for a few known access keys, and allow/deny
 * decided by a rule table the test controls. It records every authorization request so tests can check actions, resources and context.
 */
import { createHash, createHmac } from 'node:crypto';
import { denialReason } from '../../../../local/runner/iam';
import { AccessDecision, AccessRequest, AuthenticationError, type AccessControl, type Principal, type SignedHttpRequest } from '../../../../local/runner/iam/types';

export interface FakeUser {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly arn: string;
}

export interface Rule {
  readonly effect: 'Allow' | 'Deny';
  /** Principal ARN or '*'. */
  readonly principal: string;
  /** Action glob, e.g. `s3:*`. */
  readonly action: string;
  /** Resource glob, e.g. `arn:aws:s3:::vault/*`. */
  readonly resource: string;
}

export const ACCOUNT_ID = '123456789012';

export function user(name: string): FakeUser {
  return { accessKeyId: `AKID${name.toUpperCase()}`, secretAccessKey: `secret-of-${name}`, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${name}` };
}

function glob(pattern: string, value: string): boolean {
  const regex = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${regex}$`, 's').test(value);
}

/** RFC 3986 percent-encoding, as SigV4 canonicalizes query strings and (non-S3) paths. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

interface ParsedAuthorization {
  accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[]; signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$/.exec(header);
  if (!match) throw new AuthenticationError('IncompleteSignature', 'The Authorization header is malformed');
  return { accessKeyId: match[1], date: match[2], region: match[3], service: match[4], signedHeaders: match[5].split(';'), signature: match[6] };
}

function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of search.split('&').filter(Boolean)) {
    const [rawKey, rawValue = ''] = pair.split(/=(.*)/s);
    const key = decodeURIComponent(rawKey);
    const value = decodeURIComponent(rawValue);
    const existing = query[key];
    query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  }
  return query;
}

export class FakeAccessControl implements AccessControl {
  readonly requests: AccessRequest[] = [];
  /** Every request that passed authentication, to check what actually went over the wire. */
  readonly authenticated: SignedHttpRequest[] = [];
  private readonly users = new Map<string, FakeUser>();

  constructor(users: readonly FakeUser[], public rules: Rule[] = []) {
    for (const u of users) this.users.set(u.accessKeyId, u);
  }

  authenticate(request: SignedHttpRequest, service: string): Principal {
    const header = request.headers.authorization;
    if (typeof header !== 'string') throw new AuthenticationError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    const auth = parseAuthorization(header);
    const known = this.users.get(auth.accessKeyId);
    if (!known) throw new AuthenticationError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    if (auth.service !== service) throw new AuthenticationError('SignatureDoesNotMatch', `Credential should be scoped to service '${service}'`);

    const [path, search = ''] = request.url.split(/\?(.*)/s);
    const query = parseQuery(search);
    const canonicalQuery = Object.keys(query).sort().flatMap((key) =>
      ([] as string[]).concat(query[key]).sort().map((value) => `${encodeRfc3986(key)}=${encodeRfc3986(value)}`)).join('&');
    const canonicalHeaders = [...auth.signedHeaders].sort().map((name) => {
      const value = request.headers[name];
      return `${name}:${(Array.isArray(value) ? value.join(',') : String(value ?? '')).trim().replace(/\s+/g, ' ')}\n`;
    }).join('');
    // S3 signs the path exactly as sent; other services escape it once more.
    const canonicalPath = service === 's3' ? path : path.split('/').map((segment) => encodeRfc3986(decodeURIComponent(segment))).join('/');
    const payloadHash = String(request.headers['x-amz-content-sha256'] ?? createHash('sha256').update(request.body).digest('hex'));
    const canonicalRequest = [request.method, canonicalPath, canonicalQuery, canonicalHeaders, auth.signedHeaders.join(';'), payloadHash].join('\n');
    const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', String(request.headers['x-amz-date']), scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${known.secretAccessKey}`, auth.date), auth.region), auth.service), 'aws4_request');
    if (hmac(signingKey, stringToSign).toString('hex') !== auth.signature) {
      throw new AuthenticationError(service === 's3' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided.');
    }
    this.authenticated.push(request);
    return { arn: known.arn, accountId: ACCOUNT_ID };
  }

  authorize(request: AccessRequest): AccessDecision {
    this.requests.push(request);
    const matching = this.rules.filter((rule) =>
      (rule.principal === '*' || rule.principal === request.principal.arn) && glob(rule.action, request.action) && glob(rule.resource, request.resource));
    if (matching.some((rule) => rule.effect === 'Deny')) return { allowed: false, reason: denialReason(request, 'an identity-based policy') };
    if (matching.some((rule) => rule.effect === 'Allow')) return { allowed: true, reason: 'allowed by a test rule' };
    return { allowed: false, reason: denialReason(request) };
  }
}
