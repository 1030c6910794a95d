/**
 * A JITR device on aws-iot-device-sdk-v2 (MQTT 3.1.1 over mutual TLS).
 * Run: npx ts-node --project tsconfig.dev.json demo/jitr/device-sdk-v2.ts --help
 */
import { connectWithSdkV2 } from '../../cli/src/device/mtls-connection';
import { deviceMain, DeviceOutput, runAsScript } from '../shared/device-cli';

/** The script's main, for tests: returns the exit code. */
export function main(argv: readonly string[], out?: DeviceOutput): Promise<number> {
  return deviceMain(argv, connectWithSdkV2, out);
}

if (require.main === module) {
  runAsScript(main);
}
