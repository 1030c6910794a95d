import { createHash } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

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

/** Reads the client's certificate chain and SNI; undefined when it sent no certificate. */
export function tlsIdentityOf(socket: TLSSocket): TlsIdentity | undefined {
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  if (!leaf?.raw?.length) return undefined;
  const chain: string[] = [];
  const seen = new Set<string>([leaf.fingerprint256]);
  let next = leaf.issuerCertificate;
  // A self-signed certificate is its own issuer: stop at the first repeat.
  while (next?.raw?.length && !seen.has(next.fingerprint256)) {
    seen.add(next.fingerprint256);
    chain.push(toPem(next.raw));
    next = next.issuerCertificate;
  }
  const serverName = typeof socket.servername === 'string' && socket.servername ? socket.servername : undefined;
  return {
    certificatePem: toPem(leaf.raw),
    certificateId: createHash('sha256').update(leaf.raw).digest('hex'),
    presentedChainPems: chain,
    serverName,
  };
}

function toPem(der: Buffer): string {
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}
