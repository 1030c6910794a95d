import { AddressInfo, connect, Socket } from 'node:net';
import { createServer, DetailedPeerCertificate, Server, TLSSocket } from 'node:tls';

/** A certificate the client sent in the handshake. */
export interface PresentedCertificate {
  readonly subject: string;
  /** SHA-256 fingerprint, uppercase hex with colons (Node's format). */
  readonly fingerprint256: string;
}

/** What the front saw of one TLS connection. */
export interface FrontConnection {
  /** The SNI name the client sent, if any. */
  readonly sni: string | undefined;
  /** The client's certificate chain, leaf first, as presented. */
  readonly chain: readonly PresentedCertificate[];
  /** True when the connection was piped to the broker, false when the front closed it. */
  readonly forwarded: boolean;
}

export interface JitrTlsFrontOptions {
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /** The plain-TCP MQTT broker on 127.0.0.1 that accepted connections are piped to. */
  readonly brokerPort: number;
  /**
   * How many connections of each device certificate are closed right after the handshake before
   * the front lets that certificate through: 1 is AWS IoT's JITR first connect; Infinity is a
   * certificate that is never activated.
   * @default 1
   */
  readonly closeFirst?: number;
}

/**
 * A test stand-in for AWS IoT's JITR behaviour at the TLS layer: it asks for a client certificate,
 * records the presented chain and SNI, closes the first connection(s) of each certificate, and pipes
 * later ones to a real MQTT broker, so the MQTT conversation is with that broker.
 */
export class JitrTlsFront {
  /** Listens on a free port of 127.0.0.1. */
  static async start(options: JitrTlsFrontOptions): Promise<JitrTlsFront> {
    const front = new JitrTlsFront(options);
    await new Promise<void>((resolve, reject) => {
      front.server.once('error', reject);
      front.server.listen(0, '127.0.0.1', resolve);
    });
    return front;
  }

  readonly connections: FrontConnection[] = [];
  /** Handshake failures (for example a client that refused the server certificate). */
  readonly handshakeErrors: string[] = [];
  private readonly server: Server;
  private readonly seen = new Map<string, number>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: JitrTlsFrontOptions) {
    this.server = createServer({ cert: options.serverCertPem, key: options.serverKeyPem, requestCert: true, rejectUnauthorized: false });
    this.server.on('secureConnection', (socket) => this.onConnection(socket));
    this.server.on('tlsClientError', (err) => this.handshakeErrors.push(err.message));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The connections made with the certificate whose fingerprint is given (Node format). */
  connectionsOf(fingerprint256: string): FrontConnection[] {
    return this.connections.filter((c) => c.chain[0]?.fingerprint256 === fingerprint256);
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.sockets.forEach((socket) => socket.destroy());
    await closed;
  }

  private onConnection(socket: TLSSocket): void {
    this.track(socket);
    const chain = presentedChain(socket);
    const key = chain[0]?.fingerprint256 ?? 'no certificate';
    const count = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, count);
    const forwarded = chain.length > 0 && count > (this.options.closeFirst ?? 1);
    this.connections.push({ sni: socket.servername || undefined, chain, forwarded });
    if (!forwarded) {
      socket.end(); // what AWS IoT does to a certificate it has just registered as PENDING_ACTIVATION
      return;
    }
    const upstream = this.track(connect(this.options.brokerPort, '127.0.0.1'));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  }

  private track<T extends Socket>(socket: T): T {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  }
}

function presentedChain(socket: TLSSocket): PresentedCertificate[] {
  const chain: PresentedCertificate[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.fingerprint256 && !chain.some((c) => c.fingerprint256 === cert?.fingerprint256)) {
    chain.push({ subject: String(cert.subject?.CN ?? ''), fingerprint256: cert.fingerprint256 });
    cert = cert.issuerCertificate;
  }
  return chain;
}
