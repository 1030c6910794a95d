import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { getCanonicalHeaders, SignatureV4Base } from '@smithy/signature-v4';
import { denialReason } from '../../../../local/runner/iam';
import {
  AuthenticationError,
  type AccessControl,
  type AccessDecision,
  type AccessRequest,
  type Principal,
  type SignedHttpRequest,
} from '../../../../local/runner/iam/types';

/** One access key the fake knows: its secret and whose it is. */
export interface TestKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly principalArn: string;
}

/** An identity-policy Allow, flattened: `resource` may end in `*` (a prefix match) or be `*`. */
export interface TestGrant {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
}

/** A hash for the SignatureV4Base constructor; the verifier below hashes synchronously with node:crypto instead. */
class NodeSha256 {
  private readonly hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    if (secret === undefined) this.hash = createHash('sha256');
    else if (typeof secret === 'string') this.hash = createHmac('sha256', secret);
    else this.hash = createHmac('sha256', ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
  reset(): void {
    throw new Error('not used');
  }
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

interface CredentialScope {
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/**
 * Recomputes a request's SigV4 signature. The canonical request (path escaping and normalization,
 * query and header canonicalization) comes from `@smithy/signature-v4`, the code the SDK signs
 * with; only the hashing is done here, synchronously, because AccessControl.authenticate is synchronous.
 */
class SigV4Verifier extends SignatureV4Base {
  constructor() {
    super({ service: 'iot', region: 'unused', credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' }, sha256: NodeSha256 });
  }

  signature(request: SignedHttpRequest, secretAccessKey: string, scope: CredentialScope, signedHeaders: readonly string[]): string {
    const url = new URL(request.url, 'http://localhost');
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = headerText(request.headers, name);
    const httpRequest = new HttpRequest({ method: request.method, path: url.pathname, query, headers, body: request.body });
    const canonicalHeaders = getCanonicalHeaders(httpRequest, undefined, new Set(signedHeaders));
    const payloadHash = headerText(request.headers, 'x-amz-content-sha256') || sha256Hex(request.body);
    const canonicalRequest = this.createCanonicalRequest(httpRequest, canonicalHeaders, payloadHash);
    const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', headerText(request.headers, 'x-amz-date'), credentialScope, sha256Hex(canonicalRequest)].join('\n');
    let key: Buffer = hmac(`AWS4${secretAccessKey}`, scope.date);
    for (const part of [scope.region, scope.service, 'aws4_request']) key = hmac(key, part);
    return hmac(key, stringToSign).toString('hex');
  }
}

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * A stand-in for the local IAM: SigV4 checked against a table of access keys, authorization from a
 * table of Allow grants (no statement -> implicit deny). Records what it was asked, for assertions.
 */
export class TableAccessControl implements AccessControl {
  readonly asked: AccessRequest[] = [];
  private readonly verifier = new SigV4Verifier();

  constructor(private readonly accountId: string, private readonly keys: readonly TestKey[], private readonly grants: readonly TestGrant[]) {}

  authenticate(request: SignedHttpRequest, service: string): Principal {
    const authorization = headerText(request.headers, 'authorization');
    if (authorization === '') throw new AuthenticationError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const parsed = AUTHORIZATION.exec(authorization);
    if (parsed === null) throw new AuthenticationError('IncompleteSignatureException', 'The Authorization header is not a SigV4 signature');
    const [, accessKeyId, date, region, signingService, signedHeaders, signature] = parsed;
    const key = this.keys.find(k => k.accessKeyId === accessKeyId);
    if (key === undefined) throw new AuthenticationError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (signingService !== service) throw new AuthenticationError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
    const expected = this.verifier.signature(request, key.secretAccessKey, { date, region, service: signingService }, signedHeaders.split(';'));
    if (expected !== signature) {
      throw new AuthenticationError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
    }
    return { arn: key.principalArn, accountId: this.accountId };
  }

  authorize(request: AccessRequest): AccessDecision {
    this.asked.push(request);
    const allowed = this.grants.some(grant => grant.principalArn === request.principal.arn
      && grant.action === request.action
      && (grant.resource.endsWith('*') ? request.resource.startsWith(grant.resource.slice(0, -1)) : grant.resource === request.resource));
    return { allowed, reason: allowed ? '' : denialReason(request) };
  }
}
