import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Key types the tests give devices and CAs (both accepted by AWS IoT). */
export type KeyType = 'ec-p256' | 'rsa-2048';

/** A certificate and key made by the openssl CLI, as file paths and PEM text. */
export interface Issued {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

const NEW_KEY: Record<KeyType, string[]> = {
  'ec-p256': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'rsa-2048': ['-newkey', 'rsa:2048'],
};

/** Creates self-signed CAs and certificates they sign in `dir`, with the openssl CLI. */
export class OpensslPki {
  constructor(private readonly dir: string) {}

  /** A self-signed CA (basicConstraints CA:TRUE), like the one a user registers with AWS IoT. */
  ca(name: string, keyType: KeyType): Issued {
    const { certFile, keyFile } = this.paths(name);
    this.openssl(['req', '-x509', ...NEW_KEY[keyType], '-nodes', '-sha256', '-days', '2',
      '-subj', `/O=cdk-iot-security tests/CN=${name}`, '-keyout', keyFile, '-out', certFile,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return this.issued(certFile, keyFile);
  }

  /** A device (client) certificate with subject CN `name`, signed by `ca`. */
  device(name: string, keyType: KeyType, ca: Issued): Issued {
    return this.leaf(name, keyType, ca, ['basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth']);
  }

  /** A TLS server certificate for `dnsName` and 127.0.0.1, signed by `ca`. */
  server(dnsName: string, keyType: KeyType, ca: Issued): Issued {
    return this.leaf(dnsName, keyType, ca, ['basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${dnsName},IP:127.0.0.1`]);
  }

  private leaf(name: string, keyType: KeyType, ca: Issued, extensions: string[]): Issued {
    const { certFile, keyFile } = this.paths(name);
    const csrFile = join(this.dir, `${name}.csr.pem`);
    const extFile = join(this.dir, `${name}.ext`);
    writeFileSync(extFile, `${extensions.join('\n')}\n`);
    this.openssl(['req', '-new', ...NEW_KEY[keyType], '-nodes', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', csrFile]);
    this.openssl(['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-sha256', '-days', '1',
      '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-extfile', extFile, '-out', certFile]);
    return this.issued(certFile, keyFile);
  }

  private paths(name: string) {
    return { certFile: join(this.dir, `${name}.cert.pem`), keyFile: join(this.dir, `${name}.private_key.pem`) };
  }

  private issued(certFile: string, keyFile: string): Issued {
    return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}
