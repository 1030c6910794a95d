import { once } from 'node:events';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { createBroker, type AuthenticateError, type Client } from 'aedes';
import { admit } from './admission';
import { DeviceAuthorizer } from './device-authorizer';
import { answerFleetRequest, fleetRequestOf, type FleetRegistry } from './fleet-provisioning';
import { certificateRegisteredEvent, certificateRegisteredTopic } from './registration-event';
import type { GatewayRegistry } from './registry-view';
import { tlsIdentityOf } from './tls-identity';
import { topicFilterMatches } from './topic-filter';

/** A message seen by the gateway: what rules (topic rules, the runner) subscribe to. */
export interface GatewayMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** The publishing client's id, or undefined for messages AWS IoT itself publishes ($aws/events/...). */
  readonly clientId?: string;
}

export type MessageListener = (message: GatewayMessage) => void;
export type GatewayLog = (line: Record<string, unknown>) => void;

export interface MqttGatewayOptions {
  readonly registry: GatewayRegistry & FleetRegistry;
  /** The server certificate (for `localhost`) and its key, PEM. */
  readonly serverCertificatePem: string;
  readonly serverPrivateKeyPem: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly log?: GatewayLog;
  readonly now?: () => number;
  /** Test-only fault switch: publish every just-in-time registration event twice (see LocalCloudFaults). */
  readonly duplicateRegistrationEvents?: boolean;
}

/** What the gateway has done so far, for load tests and benchmarks. */
export interface GatewayCounters {
  /** CONNECTs accepted (an ACTIVE certificate whose policies allow the connect). */
  readonly connectionsAccepted: number;
  /** `$aws/events/certificates/registered/...` events published (each connect of a new or PENDING_ACTIVATION certificate). */
  readonly registrationEvents: number;
}

export interface MqttGateway {
  readonly port: number;
  /** Subscribes to every message the gateway accepts or publishes itself. */
  onMessage(listener: MessageListener): () => void;
  /** Publishes as AWS IoT (no client, no policy check), e.g. rule engine output. */
  publish(topic: string, payload: Buffer | string): Promise<void>;
  counters(): GatewayCounters;
  close(): Promise<void>;
}

/** "The payload for every PUBLISH message is limited to 128 KB" (AWS IoT Core message broker quotas). */
const MAX_PAYLOAD_BYTES = 128 * 1024;
/** The largest packet worth reading: a PUBLISH of the largest payload with the longest topic MQTT can encode. */
const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 2 + 0xffff + 2;
/** Connections waiting to be accepted: room for a burst of thousands of devices (see listen below). */
const ACCEPT_BACKLOG = 4096;

/**
 * MQTT 3.1.1 over mutual TLS, judged as AWS IoT judges devices: the leaf
 * certificate decides admission before the CONNACK (JITR/JITP on first
 * connect), and the policies attached to it decide connect, publish,
 * subscribe and receive. aedes speaks MQTT; the IoT rules live in its hooks.
 */
export async function startMqttGateway(options: MqttGatewayOptions): Promise<MqttGateway> {
  const { registry } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const authorizers = new WeakMap<Client, DeviceAuthorizer>();
  const listeners = new Set<MessageListener>();
  const counters = { connectionsAccepted: 0, registrationEvents: 0 };
  const publishRegistrationEvent = (topic: string, payload: Buffer, done: () => void) => {
    counters.registrationEvents += 1;
    broker.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => done());
  };

  const broker = createBroker({
    preConnect: (client, packet, callback) => {
      const socket = client.conn as tls.TLSSocket;
      const identity = tlsIdentityOf(socket);
      admit(registry, identity).then((admission) => {
        switch (admission.kind) {
          case 'admit':
            authorizers.set(client, new DeviceAuthorizer(registry, admission.certificate, packet.clientId, identity!.certificatePem));
            callback(null, true);
            return;
          case 'just-in-time-registration': {
            const event = certificateRegisteredEvent(admission.certificate, admission.caCertificateId, registry.accountId, now());
            log({ event: 'jitr', certificateId: admission.certificate.certificateId, caCertificateId: admission.caCertificateId });
            // AWS IoT announces the registration, then closes the connection.
            const topic = certificateRegisteredTopic(admission.caCertificateId);
            const payload = Buffer.from(JSON.stringify(event));
            const close = () => callback(new Error('certificate registered just in time; reconnect once it is activated'), false);
            const then = options.duplicateRegistrationEvents ? () => publishRegistrationEvent(topic, payload, close) : close;
            publishRegistrationEvent(topic, payload, then);
            return;
          }
          case 'just-in-time-provisioning':
            log({
              event: 'jitp',
              certificateId: admission.certificateId,
              caCertificateId: admission.caCertificateId,
              provisioned: admission.provisioned,
              reason: admission.reason,
            });
            callback(new Error('certificate provisioned just in time; reconnect'), false);
            return;
          case 'refuse':
            log({ event: 'refused', reason: admission.reason, clientId: packet.clientId });
            callback(new Error(admission.reason), false);
            return;
        }
      }).catch((error: unknown) => {
        log({ event: 'admission-failed', error: String(error) });
        callback(error instanceof Error ? error : new Error(String(error)), false);
      });
    },
    authenticate: (client, _username, _password, callback) => {
      // The username is ignored, as AWS IoT does for certificate auth (aws-crt puts SDK metrics there).
      const decision = authorizers.get(client)?.connect();
      if (decision?.allowed) {
        counters.connectionsAccepted += 1;
        return callback(null, true);
      }
      log({ event: 'connect-denied', clientId: client.id, reason: decision?.reason });
      const error = new Error(decision?.reason ?? 'not admitted') as AuthenticateError;
      error.returnCode = 5 as AuthenticateError['returnCode'];
      return callback(error, false);
    },
    authorizePublish: (client, packet, callback) => {
      if (!client) return callback(null); // AWS IoT's own messages
      if (packet.payload.length > MAX_PAYLOAD_BYTES) {
        log({ event: 'publish-too-large', clientId: client.id, topic: packet.topic, bytes: packet.payload.length });
        return callback(new Error(`the payload exceeds ${MAX_PAYLOAD_BYTES} bytes`));
      }
      const decision = authorizers.get(client)?.publish(packet.topic);
      if (decision?.allowed) return callback(null);
      log({ event: 'publish-denied', clientId: client.id, topic: packet.topic, reason: decision?.reason });
      // MQTT 3.1.1 has no negative PUBACK: AWS IoT disconnects the client.
      return callback(new Error(decision?.reason ?? 'not authorized'));
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const decision = authorizers.get(client)?.subscribe(subscription.topic);
      if (decision?.allowed) return callback(null, subscription);
      log({ event: 'subscribe-denied', clientId: client.id, topic: subscription.topic, reason: decision?.reason });
      return callback(null, null); // SUBACK 0x80 for this filter
    },
    authorizeForward: (client, packet) => {
      // Requests to AWS IoT's own APIs are answered by it, never relayed to other devices.
      if (fleetRequestOf(packet.topic)) return null;
      const decision = authorizers.get(client)?.receive(packet.topic);
      return decision?.allowed ? packet : null;
    },
  });

  broker.on('publish', (packet, client) => {
    if (packet.topic.startsWith('$SYS/')) return;
    const fleetRequest = client ? fleetRequestOf(packet.topic) : undefined;
    const session = client ? authorizers.get(client) : undefined;
    if (client && fleetRequest && session) {
      answerFleetRequest(registry, fleetRequest, Buffer.from(packet.payload), { clientId: client.id, certificateId: session.certificateId })
        .then((answer) => {
          log({ event: 'fleet-provisioning', clientId: client.id, operation: fleetRequest.operation, answer: answer.topic.split('/').pop() });
          // Answers go to the requesting connection only, and only if it subscribed to them.
          const subscribed = Object.keys((client as unknown as { subscriptions: Record<string, number> }).subscriptions ?? {})
            .some((filter) => topicFilterMatches(filter, answer.topic));
          if (!subscribed) return;
          // The callback is required: aedes' Client.publish calls it unconditionally (its typings say optional),
          // and without one every answer threw "cb is not a function" from a setImmediate.
          client.publish(
            { cmd: 'publish', topic: answer.topic, payload: Buffer.from(JSON.stringify(answer.payload)), qos: 0, retain: false, dup: false },
            (error) => {
              if (error) log({ event: 'fleet-provisioning-answer-failed', clientId: client.id, topic: answer.topic, error: String(error) });
            },
          );
        })
        .catch((error: unknown) => log({ event: 'fleet-provisioning-failed', error: String(error) }));
      return;
    }
    const message: GatewayMessage = { topic: packet.topic, payload: Buffer.from(packet.payload), clientId: client?.id };
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        log({ event: 'listener-failed', topic: packet.topic, error: String(error) });
      }
    }
  });

  const server = tls.createServer({
    cert: options.serverCertificatePem,
    key: options.serverPrivateKeyPem,
    requestCert: true,
    // We judge client certificates ourselves, against the registry, like AWS IoT.
    rejectUnauthorized: false,
    ALPNProtocols: ['x-amzn-mqtt-ca', 'mqtt'],
  }, (socket) => {
    refuseOversizePackets(socket, () => log({ event: 'packet-too-large', remoteAddress: socket.remoteAddress }));
    broker.handle(socket);
  });
  // Connections that never sent a CONNECT (or never finished their TLS handshake) are not aedes
  // clients, so broker.close() leaves them open and server.close() would wait for them.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Garbage on the port (no TLS, broken handshakes) must not take the server down.
  server.on('tlsClientError', (error) => log({ event: 'tls-error', error: error.message }));
  // A fleet connecting at once must not overflow the accept queue: beyond Node's default backlog (511)
  // the kernel drops the handshakes, and the devices' TCP retransmits (1 s, 3 s, 7 s, ...) then hold
  // them back for seconds that AWS IoT's endpoint would not. The kernel caps it at net.core.somaxconn.
  server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: ACCEPT_BACKLOG });
  try {
    await once(server, 'listening');
  } catch (error) {
    // EADDRINUSE, say: aedes' interval timers would keep the process alive.
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }

  return {
    port: (server.address() as { port: number }).port,
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish: (topic, payload) => new Promise((resolve, reject) => broker.publish({
      cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false,
    }, (error) => (error ? reject(error) : resolve()))),
    counters: () => ({ ...counters }),
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Follows the MQTT framing of what a connection sends and destroys it as soon as a fixed header
 * announces a packet over MAX_PACKET_BYTES: aedes' parser would otherwise buffer up to the 256 MB
 * a remaining length can announce before looking at the packet. It watches what aedes reads
 * (aedes pulls with `socket.read()`), in order, and passes it on unchanged until it refuses.
 */
function refuseOversizePackets(socket: tls.TLSSocket, onRefused: () => void): void {
  let expectHeader = true;
  let remaining = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let skip = 0;
  let done = false;
  const scan = (chunk: Buffer): boolean => {
    for (let i = 0; i < chunk.length && !done;) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
      } else if (expectHeader) {
        expectHeader = false;
        remaining = 0;
        multiplier = 1;
        lengthBytes = 0;
        i++;
      } else {
        const byte = chunk[i++];
        remaining += (byte % 128) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (remaining > MAX_PACKET_BYTES) return false;
        if (byte >= 128) { // continuation bit
          // A fifth length byte is malformed: aedes' parser refuses it, nothing more to follow.
          if (lengthBytes === 4) done = true;
        } else {
          skip = remaining;
          expectHeader = true;
        }
      }
    }
    return true;
  };
  const read = socket.read.bind(socket);
  socket.read = (size?: number) => {
    const chunk: unknown = read(size);
    if (!done && Buffer.isBuffer(chunk) && !scan(chunk)) {
      done = true;
      onRefused();
      socket.destroy();
      return null;
    }
    return chunk;
  };
}
