/**
 * One raw mqtt.js connection attempt to the local gateway (MQTT 3.1.1, no reconnect), for tests
 * that need precise control over a single CONNECT.
 */
import * as mqtt from 'mqtt';

export interface RawMqttOptions {
  readonly port: number;
  /** @default 'localhost' */
  readonly host?: string;
  readonly clientId: string;
  /** The certificate (and the chain after it) the client presents. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** The server trust. */
  readonly ca: string | Buffer;
}

/** Resolves with the client once CONNACKed; rejects (and releases the client) when the attempt fails or closes first. */
export function connectOnce(options: RawMqttOptions): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtts://${options.host ?? 'localhost'}:${options.port}`, {
      protocolVersion: 4,
      clientId: options.clientId,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      cert: options.cert,
      key: options.key,
      ca: options.ca,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}
