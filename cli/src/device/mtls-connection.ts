/**
 * A device's MQTT 3.1.1 connection over mutual TLS with aws-iot-device-sdk-v2 (aws-crt), the
 * client AWS recommends for devices: one attempt per call, wrapped as a DeviceSession.
 */
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import { Connector } from './device-flow';

export interface MtlsConnectionOptions {
  readonly endpoint: string;
  readonly port: number;
  /** The device certificate, followed by its CA when the CA must be presented (aws-crt sends the whole chain). */
  readonly certPem: string;
  readonly keyPem: string;
  readonly rootCaPem: string;
  readonly clientId: string;
  /** How long a publish or subscribe waits for its acknowledgement before giving up. */
  readonly operationTimeoutMs: number;
}

/** One MQTT 3.1.1 connection over mutual TLS with aws-crt; rejects with an Error when the CONNECT fails. */
export async function openMtlsConnection(options: MtlsConnectionOptions): Promise<mqtt.MqttClientConnection> {
  const mqttConfig = iot.AwsIotMqttConnectionConfigBuilder
    .new_mtls_builder(options.certPem, options.keyPem)
    .with_certificate_authority(options.rootCaPem)
    .with_endpoint(options.endpoint) // also the SNI name
    .with_port(options.port)
    .with_client_id(options.clientId)
    .with_clean_session(true)
    .with_protocol_operation_timeout_ms(options.operationTimeoutMs)
    .build();
  const connection = new mqtt.MqttClient().new_connection(mqttConfig);
  try {
    await connection.connect();
  } catch (err) {
    // aws-crt rejects with a plain string (not an Error) that names the error, e.g. "Failed to connect:
    // libaws-c-mqtt: AWS_ERROR_MQTT_UNEXPECTED_HANGUP, The connection was closed unexpectedly."
    // A connection that never connected has no public way to be freed (close() is private); it is small.
    throw err instanceof Error ? err : new Error(String(err).replace(/^Failed to connect: /, ''));
  }
  return connection;
}

/** One connection attempt with aws-crt (its own reconnect only acts on connections that succeeded once). */
export const connectWithSdkV2: Connector = async (config) => {
  const connection = await openMtlsConnection({
    endpoint: config.endpoint,
    port: config.port,
    certPem: config.certChainPem,
    keyPem: config.keyPem,
    rootCaPem: config.rootCaPem,
    clientId: config.clientId,
    operationTimeoutMs: 10_000, // the publish gives up instead of waiting forever for its PUBACK
  });
  return {
    publish: async (topic, payload) => {
      await connection.publish(topic, payload, mqtt.QoS.AtLeastOnce);
    },
    subscribe: async (topicFilter, onMessage) => {
      const granted = await connection.subscribe(topicFilter, mqtt.QoS.AtLeastOnce, (topic, payload) => {
        onMessage(topic, Buffer.from(payload).toString('utf8'));
      });
      // MQTT 3.1.1 SUBACK return code 0x80 (QoS 128): the broker refused the filter.
      if ((granted.qos as number) === 128) throw new Error(`subscription to ${topicFilter} refused`);
    },
    // disconnect() sends DISCONNECT and then frees the native connection itself.
    disconnect: async () => connection.disconnect(),
  };
};
