/**
 * A JITR device on aws-iot-device-sdk-v2 (MQTT 3.1.1 over mutual TLS).
 * Run: npx ts-node --project tsconfig.dev.json demo/jitr/device-sdk-v2.ts --help
 */
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import { deviceMain, DeviceOutput, runAsScript } from '../shared/device-cli';
import { Connector } from '../shared/device-flow';

/** One connection attempt with aws-crt (its own reconnect only acts on connections that succeeded once). */
export const connectWithSdkV2: Connector = async (config) => {
  const mqttConfig = iot.AwsIotMqttConnectionConfigBuilder
    // The certificate string holds the device certificate followed by its CA: aws-crt sends the whole chain.
    .new_mtls_builder(config.certChainPem, config.keyPem)
    .with_certificate_authority(config.rootCaPem)
    .with_endpoint(config.endpoint) // also the SNI name
    .with_port(config.port)
    .with_client_id(config.clientId)
    .with_clean_session(true)
    .with_protocol_operation_timeout_ms(10_000) // the publish gives up instead of waiting forever for its PUBACK
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
  return {
    publish: async (topic, payload) => {
      await connection.publish(topic, payload, mqtt.QoS.AtLeastOnce);
    },
    // disconnect() sends DISCONNECT and then frees the native connection itself.
    disconnect: async () => connection.disconnect(),
  };
};

/** The script's main, for tests: returns the exit code. */
export function main(argv: readonly string[], out?: DeviceOutput): Promise<number> {
  return deviceMain(argv, connectWithSdkV2, out);
}

if (require.main === module) {
  runAsScript(main);
}
