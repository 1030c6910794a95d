/**
 * Certificates and CSRs that a careless or hostile caller sends, made with OpenSSL (and, for what
 * its command line cannot make, @peculiar/x509): weak and unsupported keys, SHA-1, no CA flag,
 * expired, forged signatures, verification certificates with the wrong key or the wrong name.
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { OpensslWorkspace } from '../../lambda-assets/shared/pki/openssl';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const CA_EXTENSIONS = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];

export const pemBody = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

export function pemOf(der: Uint8Array, label: string): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;
}

/** The PEM with one byte of its signature (the DER's last bytes) changed: well-formed, not signed by its key. */
export function forged(pem: string): string {
  const label = /-----BEGIN ([A-Z ]+)-----/.exec(pem)![1];
  const der = pemBody(pem);
  der[der.length - 5] = der[der.length - 5] === 0 ? 1 : der[der.length - 5] - 1;
  return pemOf(der, label);
}

export class BadPki {
  readonly openssl = new OpensslWorkspace();
  private counter = 0;

  /** A self-signed CA (CA:TRUE, keyCertSign) with the given `openssl req -newkey` arguments; its key stays in the workspace as `<name>.key`. */
  ca(name: string, keyArgs: string[], extra: string[] = [], subjectName = name): string {
    this.openssl.run('req', '-x509', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-subj', `/O=Bad Input/CN=${subjectName}`, '-days', '30',
      ...CA_EXTENSIONS, ...extra, '-out', `${name}.pem`);
    return this.openssl.read(`${name}.pem`);
  }

  /** A self-signed certificate that is no CA (basicConstraints CA:FALSE; `req -x509` would otherwise make it a CA). */
  leaf(name: string): string {
    this.openssl.run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
      '-subj', `/CN=${name}`, '-days', '30', '-addext', 'basicConstraints=critical,CA:FALSE', '-out', `${name}.pem`);
    return this.openssl.read(`${name}.pem`);
  }

  /** A CSR with a new key made by `keyArgs` (e.g. ['-newkey', 'rsa:1024']), subject `subject`. */
  csr(keyArgs: string[], subject = '/CN=bad-input-device'): string {
    const name = `csr-${this.counter++}`;
    this.openssl.run('req', '-new', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    return this.openssl.read(`${name}.csr`);
  }

  /** An Ed25519 CSR (openssl makes the key first: `req -newkey ed25519` needs no parameters, but older OpenSSL differ). */
  ed25519Csr(subject = '/CN=bad-input-edwards'): string {
    const name = `ed-${this.counter++}`;
    this.openssl.run('genpkey', '-algorithm', 'ed25519', '-out', `${name}.key`);
    this.openssl.run('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    return this.openssl.read(`${name}.csr`);
  }

  /** An Ed25519 self-signed CA. */
  ed25519Ca(name: string): string {
    this.openssl.run('genpkey', '-algorithm', 'ed25519', '-out', `${name}.key`);
    this.openssl.run('req', '-x509', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '30', ...CA_EXTENSIONS, '-out', `${name}.pem`);
    return this.openssl.read(`${name}.pem`);
  }

  /** A verification certificate: subject CN `commonName`, issued by the CA `signerName` (its name in `ca()`). */
  verification(commonName: string, signerName: string): string {
    const name = `verification-${this.counter++}`;
    this.openssl.run('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
      '-subj', `/CN=${commonName}`, '-out', `${name}.csr`);
    this.openssl.run('x509', '-req', '-in', `${name}.csr`, '-CA', `${signerName}.pem`, '-CAkey', `${signerName}.key`, '-CAcreateserial',
      '-days', '30', '-sha256', '-out', `${name}.pem`);
    return this.openssl.read(`${name}.pem`);
  }

  /** A CA whose validity ended yesterday (OpenSSL's req cannot back-date, @peculiar/x509 can). */
  async expiredCa(): Promise<string> {
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as CryptoKeyPair;
    const day = 24 * 60 * 60 * 1000;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '0a1b2c3d',
      name: 'CN=Expired CA',
      notBefore: new Date(Date.now() - 30 * day),
      notAfter: new Date(Date.now() - day),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      ],
    });
    return certificate.toString('pem');
  }

  dispose(): void {
    this.openssl.dispose();
  }
}
