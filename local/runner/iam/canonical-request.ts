import { HttpRequest } from '@smithy/protocol-http';
import { getCanonicalHeaders, SignatureV4Base } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256';

/** S3 signs the path exactly as sent; every other service signs it URI-encoded a second time. */
export function isS3Service(service: string): boolean {
  return service === 's3' || service.startsWith('s3-');
}

export interface ReceivedRequestParts {
  readonly method: string;
  /** The path exactly as received, still percent-encoded. */
  readonly rawPath: string;
  /** Decoded query parameters in received order; a parameter without `=` has the value ''. */
  readonly query: readonly (readonly [string, string])[];
  /** Only the headers the client listed in SignedHeaders, lower-case names. */
  readonly signedHeaders: ReadonlyMap<string, string>;
}

/**
 * Builds the SigV4 canonical request with @smithy/signature-v4's own canonicalization (path
 * normalization and double encoding, query sorting and encoding, header trimming), so the
 * server side computes exactly what the SDK signed. The signer's public `sign()` is async; the
 * AccessControl contract is synchronous, so this reuses the synchronous building blocks and
 * leaves only the HMACs (cheap, synchronous in node:crypto) to the verifier.
 */
export class CanonicalRequestBuilder extends SignatureV4Base {
  constructor(service: string) {
    super({
      service,
      region: 'unused',
      // Never used to sign: only the canonicalization methods of the base class are called.
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      sha256: NodeSha256,
      uriEscapePath: !isS3Service(service),
    });
  }

  build(parts: ReceivedRequestParts, payloadHash: string): string {
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of parts.query) {
      const existing = query[key];
      query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const request = new HttpRequest({
      method: parts.method.toUpperCase(),
      path: parts.rawPath,
      query,
      headers: Object.fromEntries(parts.signedHeaders),
    });
    // Passing the signed names as "signable" keeps headers the SDK would never sign itself (user-agent) when a client did.
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(parts.signedHeaders.keys()));
    return this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
  }
}
