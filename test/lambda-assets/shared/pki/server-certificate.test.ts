import * as tls from 'node:tls';
import { OpensslWorkspace } from './openssl';
import { createCaCertificate, issueServerCertificateWithNewKey, type KeyAlgorithm } from '../../../../lambda-assets/shared/pki';

const workspace = new OpensslWorkspace();
afterAll(() => workspace.dispose());

describe('server certificates (the local cloud endpoints)', () => {
  test.each<KeyAlgorithm>(['ECDSA-P256', 'RSA-2048'])('a %s server certificate passes openssl as an SSL server and a Node TLS client checks its name', async (keyAlgorithm) => {
    const ca = await createCaCertificate({ subject: { commonName: 'Local Cloud Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    const server = await issueServerCertificateWithNewKey(ca.authority, {
      keyAlgorithm, commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validityDays: 30,
    });
    const caPath = workspace.write(`server-ca-${keyAlgorithm}.pem`, ca.certificatePem);
    const certPath = workspace.write(`server-${keyAlgorithm}.pem`, server.certificatePem);
    expect(workspace.run('verify', '-purpose', 'sslserver', '-CAfile', caPath, certPath).trim()).toBe(`${certPath}: OK`);
    const text = workspace.run('x509', '-in', certPath, '-noout', '-ext', 'subjectAltName,extendedKeyUsage');
    expect(text).toContain('DNS:localhost');
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toContain('TLS Web Server Authentication');

    const listener = tls.createServer({ cert: server.certificatePem, key: server.privateKeyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    const handshake = (servername: string) => new Promise<void>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: ca.certificatePem }, () => { socket.end(); resolve(); });
      socket.on('error', reject);
    });
    await expect(handshake('localhost')).resolves.toBeUndefined();
    await expect(handshake('example.com')).rejects.toThrow(/altnames/);
    await new Promise((resolve) => listener.close(resolve));
  });

  test('a server certificate without any name is refused', async () => {
    const ca = await createCaCertificate({ subject: { commonName: 'Local Cloud Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
    await expect(issueServerCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', commonName: 'x', dnsNames: [], validityDays: 1 }))
      .rejects.toThrow(/at least one DNS name or IP address/);
  });
});
