import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The OpenSSL command line as an independent judge of what the PKI produces: if OpenSSL
 * (which AWS IoT's and the device SDKs' TLS stacks behave like) accepts it, so will they.
 */
export class OpensslWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'pki-test-'));

  /** Writes a file into the workspace and returns its path. */
  write(name: string, content: string | Uint8Array): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  read(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Runs openssl in the workspace; throws with OpenSSL's stderr if it fails. */
  run(...args: string[]): string {
    return execFileSync('openssl', args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Like run, but returns the failure instead of throwing. */
  tryRun(...args: string[]): { ok: boolean; output: string } {
    try {
      return { ok: true, output: this.run(...args) };
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
    }
  }

  /** `openssl verify -CAfile ca.pem cert.pem`, returning OpenSSL's verdict line(s). */
  verify(caPem: string, certificatePem: string): string {
    const ca = this.write(`ca-${uniqueSuffix()}.pem`, caPem);
    const certificate = this.write(`cert-${uniqueSuffix()}.pem`, certificatePem);
    const result = this.tryRun('verify', '-CAfile', ca, certificate);
    return result.output.replace(certificate, 'cert.pem').trim();
  }

  /** `openssl x509 -noout -text`. */
  text(certificatePem: string): string {
    return this.run('x509', '-noout', '-text', '-in', this.write(`text-${uniqueSuffix()}.pem`, certificatePem));
  }

  /** The subject as OpenSSL prints it in RFC 2253 form (most specific RDN first). */
  subjectRfc2253(certificatePem: string): string {
    const output = this.run('x509', '-noout', '-subject', '-nameopt', 'RFC2253', '-in', this.write(`subject-${uniqueSuffix()}.pem`, certificatePem));
    return output.trim().replace(/^subject=/, '');
  }

  /** `openssl x509 -outform DER | sha256sum`: the certificate id AWS IoT computes. */
  sha256OfDer(certificatePem: string): string {
    const file = this.write(`der-${uniqueSuffix()}.pem`, certificatePem);
    const output = execFileSync('sh', ['-c', `openssl x509 -in '${file}' -outform DER | sha256sum`], { encoding: 'utf8' });
    return output.split(/\s+/)[0];
  }

  /** DER bytes of a PEM certificate, converted by OpenSSL. */
  der(certificatePem: string): Buffer {
    const file = this.write(`der-${uniqueSuffix()}.pem`, certificatePem);
    return execFileSync('openssl', ['x509', '-in', file, '-outform', 'DER']);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let counter = 0;
function uniqueSuffix(): string {
  counter++;
  return String(counter);
}

/** The hex of an "X509v3 Subject/Authority Key Identifier" block in `openssl x509 -text` output. */
export function keyIdentifierIn(text: string, extension: 'Subject Key Identifier' | 'Authority Key Identifier'): string | undefined {
  const match = new RegExp(`X509v3 ${extension}:\\s*\\n\\s*(?:keyid:)?([0-9A-F:]+)`).exec(text);
  return match?.[1];
}

/** The line after an extension's heading in `openssl x509 -text`, e.g. the usages of "X509v3 Key Usage". */
export function extensionLine(text: string, heading: string): { critical: boolean; value: string } | undefined {
  const match = new RegExp(`X509v3 ${heading}:( critical)?\\s*\\n\\s*([^\\n]+)`).exec(text);
  return match ? { critical: match[1] !== undefined, value: match[2].trim() } : undefined;
}

/** Every "Signature Algorithm:" value in `openssl x509 -text` output (TBS and outer, which must agree). */
export function signatureAlgorithmsIn(text: string): string[] {
  return [...text.matchAll(/Signature Algorithm: (\S+)/g)].map(match => match[1]);
}

/**
 * The content bytes of a certificate's serialNumber INTEGER, read from the DER OpenSSL wrote
 * (Certificate > TBSCertificate > [0] version > serialNumber), to check its encoding by hand.
 */
export function serialNumberContent(der: Buffer): Buffer {
  const header = (at: number) => {
    const first = der[at + 1];
    if (first < 0x80) {
      return { tag: der[at], content: at + 2, length: first };
    }
    let length = 0;
    for (let i = 0; i < first - 0x80; i++) {
      length = length * 256 + der[at + 2 + i];
    }
    return { tag: der[at], content: at + 2 + first - 0x80, length };
  };
  const certificate = header(0);
  const toBeSigned = header(certificate.content);
  const version = header(toBeSigned.content);
  if (version.tag !== 0xa0) {
    throw new Error('expected an explicit version in a v3 certificate');
  }
  const serial = header(version.content + version.length);
  if (serial.tag !== 0x02) {
    throw new Error('expected the serial INTEGER after the version');
  }
  return der.subarray(serial.content, serial.content + serial.length);
}
