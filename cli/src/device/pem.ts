import { X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificate blocks in `text`, in order, each ending with a newline. */
export function pemCertificates(text: string): string[] {
  return (text.replace(/\r\n/g, '\n').match(PEM_CERTIFICATE) ?? []).map((block) => `${block}\n`);
}

/** The first CN of a certificate's subject, if it has one. */
export function commonName(cert: X509Certificate): string | undefined {
  return /^CN=(.+)$/m.exec(cert.subject)?.[1];
}

/**
 * The chain a device presents: its certificate followed by the certificates of `caChain`
 * (AWS IoT needs the CA that signed the device certificate in the handshake for JITR/JITP).
 * Certificates already in `certPem` are not repeated.
 */
export function certificateChain(certPem: string, caChainPem: string): string {
  const leaf = pemCertificates(certPem);
  const extra = pemCertificates(caChainPem).filter((block) => !leaf.includes(block));
  return [...leaf, ...extra].join('');
}
