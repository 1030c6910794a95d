import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** Who is on the other end of a TLS connection, as AWS IoT sees it. */
export interface TlsIdentity {
  /** The leaf certificate, PEM. */
  readonly certificatePem: string;
  /** AWS IoT's id for it: SHA-256 of the DER. */
  readonly certificateId: string;
  /** The other certificates the device sent after its own (its CA, usually), PEM. */
  readonly presentedChainPems: string[];
  /** The SNI host name, when the device sent one. */
  readonly serverName?: string;
}

/**
 * Reads the client's certificate chain and SNI; undefined when it sent no certificate.
 *
 * Through Node's native X509Certificate rather than getPeerCertificate(), which decodes every field
 * of every certificate into a JavaScript object: in a burst of thousands of devices connecting at once
 * that was a good part of the gateway's time, and only the DER is needed here.
 */
export function tlsIdentityOf(socket: TLSSocket): TlsIdentity | undefined {
  const leaf = socket.getPeerX509Certificate();
  if (!leaf) return undefined;
  const chain: string[] = [];
  const seen = new Set<string>([leaf.fingerprint256]);
  let next = leaf.issuerCertificate;
  // A self-signed certificate is its own issuer: stop at the first repeat.
  while (next && !seen.has(next.fingerprint256)) {
    seen.add(next.fingerprint256);
    chain.push(next.toString());
    next = next.issuerCertificate;
  }
  const serverName = typeof socket.servername === 'string' && socket.servername ? socket.servername : undefined;
  return {
    certificatePem: leaf.toString(),
    certificateId: createHash('sha256').update(leaf.raw).digest('hex'),
    presentedChainPems: chain,
    serverName,
  };
}
