/**
 * A JITR device on mqtt.js v5 (MQTT 3.1.1 over mutual TLS).
 * Run: npx ts-node --project tsconfig.dev.json demo/jitr/device-mqttjs.ts --help
 */
import { isIP } from 'node:net';
import type { SecureContext } from 'node:tls';
import { connect, MqttClient } from 'mqtt';
import { Connector, DeviceConfig, DeviceSession } from '../../cli/src/device/device-flow';
import { deviceMain, DeviceOutput, runAsScript } from '../shared/device-cli';

/** One connection attempt with mqtt.js; the client is ended when it fails. */
export const connectWithMqttJs: Connector = (config) => connectOnce(config);

/**
 * connectWithMqttJs over a TLS context the device made once from its key, chain and trusted roots, as a device
 * does at boot: OpenSSL 3 takes milliseconds to build a context, so making one per attempt costs a fleet of
 * thousands retrying devices a whole core. The config's PEMs are not read again.
 */
export function connectWithMqttJsUsing(secureContext: SecureContext): Connector {
  return (config) => connectOnce(config, secureContext);
}

function connectOnce(config: DeviceConfig, secureContext?: SecureContext): Promise<DeviceSession> {
  return new Promise((resolve, reject) => {
    const host = isIP(config.endpoint) === 6 ? `[${config.endpoint}]` : config.endpoint;
    const client = connect(`mqtts://${host}:${config.port}`, {
      protocolVersion: 4,
      clientId: config.clientId,
      clean: true,
      ...(secureContext ? { secureContext } : {
        cert: config.certChainPem, // device certificate followed by its CA
        key: config.keyPem,
        ca: config.rootCaPem, // every root in the file is trusted
      }),
      servername: isIP(config.endpoint) ? undefined : config.endpoint, // RFC 6066: no SNI for IP addresses
      rejectUnauthorized: true,
      reconnectPeriod: 0, // our back-off decides when to try again
      connectTimeout: 10_000,
    });
    let lastError: Error | undefined;
    const onError = (err: Error) => { lastError = err; };
    const onClose = () => {
      client.end(true);
      reject(lastError ?? new Error('connection closed by the server before CONNACK'));
    };
    client.on('error', onError);
    client.once('close', onClose);
    client.once('connect', () => {
      client.off('close', onClose);
      resolve(session(client));
    });
  });
}

function session(client: MqttClient): DeviceSession {
  return {
    publish: (topic, payload) => new Promise<void>((resolve, reject) => {
      // With reconnect off, a QoS 1 publish whose connection drops would wait forever.
      const onClose = () => reject(new Error('connection closed before PUBACK'));
      client.once('close', onClose);
      client.publish(topic, payload, { qos: 1 }, (err) => {
        client.off('close', onClose);
        if (err) reject(err); else resolve();
      });
    }),
    subscribe: async (topicFilter, onMessage) => {
      const granted = await client.subscribeAsync(topicFilter, { qos: 1 });
      // MQTT 3.1.1 SUBACK return code 0x80: the broker refused the filter.
      if (granted.some((grant) => grant.qos === 128)) throw new Error(`subscription to ${topicFilter} refused`);
      client.on('message', (topic, payload) => onMessage(topic, payload.toString('utf8')));
    },
    disconnect: async () => { await client.endAsync(); },
  };
}

/** The script's main, for tests: returns the exit code. */
export function main(argv: readonly string[], out?: DeviceOutput): Promise<number> {
  return deviceMain(argv, connectWithMqttJs, out);
}

if (require.main === module) {
  runAsScript(main);
}
