/**
 * `npm run local`: the local cloud alone, for a user's own device or SDK.
 *
 *   npm run local -- [--control-plane-port 4566] [--mqtt-port 8883] [--state-dir .local] [--no-rate-limits]
 *
 * Prints where to reach it, one per line, then logs what the gateway decides.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from './local-cloud';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'control-plane-port': { type: 'string', default: '0' },
      'mqtt-port': { type: 'string', default: '0' },
      'state-dir': { type: 'string', default: '.local' },
      'no-rate-limits': { type: 'boolean', default: false },
      'quiet': { type: 'boolean', default: false },
    },
  });
  const port = (name: 'control-plane-port' | 'mqtt-port') => {
    const text = values[name] ?? '';
    // Digits only: Number() would take '' as 0 (a random port) and '1e3' as 1000.
    const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(value >= 0 && value <= 65535)) throw new Error(`--${name} must be a port number from 0 to 65535 (0 picks a free one), not "${text}"`);
    return value;
  };
  const cloud = await startLocalCloud({
    stateDirectory: resolve(values['state-dir']!),
    controlPlanePort: port('control-plane-port'),
    mqttPort: port('mqtt-port'),
    rateLimits: !values['no-rate-limits'],
    log: values.quiet ? undefined : (line) => console.error(JSON.stringify(line)),
  });
  console.log(`control plane: ${cloud.controlPlaneUrl}`);
  console.log(`mqtt: ${cloud.mqttUrl}`);
  console.log(`server CA: ${cloud.serverIdentity.caCertificatePath}`);
  console.log(`account: ${cloud.model.accountId}  region: ${cloud.model.region}  (AWS_ENDPOINT_URL_IOT=${cloud.controlPlaneUrl})`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    cloud.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`local cloud: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
