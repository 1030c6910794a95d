import { createPrivateKey, KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { integerOption, parseCertificate, readOptionFile, requiredOption, UsageError } from './option-readers';
import { type DeviceConfig } from '../../cli/src/device/device-flow';
import { certificateChain, commonName, pemCertificates } from '../../cli/src/device/pem';

export { UsageError };
export type { DeviceConfig };

export const USAGE = [
  'options: --endpoint HOST --cert FILE --key FILE --ca-chain FILE --root-ca FILE',
  '         [--port 8883] [--client-id ID (default: the certificate CN)] [--topic TOPIC (default: things/<client-id>/hello)]',
  '         [--message TEXT] [--max-attempts 8] [--base-delay-ms 500] [--receive] [--help]',
  '  --receive: subscribe to the topic and wait until the published message comes back',
].join('\n');

const OPTIONS = {
  'endpoint': { type: 'string' },
  'port': { type: 'string', default: '8883' },
  'cert': { type: 'string' },
  'key': { type: 'string' },
  'ca-chain': { type: 'string' },
  'root-ca': { type: 'string' },
  'client-id': { type: 'string' },
  'topic': { type: 'string' },
  'message': { type: 'string' },
  'max-attempts': { type: 'string', default: '8' },
  'base-delay-ms': { type: 'string', default: '500' },
  'receive': { type: 'boolean', default: false },
  'help': { type: 'boolean', short: 'h' },
} as const;

type StringOption = Exclude<keyof typeof OPTIONS, 'help' | 'receive'>;
type Values = Partial<Record<StringOption, string>> & { receive?: boolean };

/** True when the command line asks for the usage text. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Parses and checks the command line, reading every file it names; throws UsageError. */
export function parseDeviceArgs(argv: readonly string[]): DeviceConfig {
  let values: Values;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const endpoint = requiredOption(values, 'endpoint');
  if (endpoint.includes('://') || endpoint.includes('/')) throw new UsageError(`--endpoint: give a host name, not a URL (got "${endpoint}")`);

  const certFile = requiredOption(values, 'cert');
  const leafPem = pemCertificates(readOptionFile('cert', certFile))[0];
  const leaf = leafPem && parseCertificate(leafPem);
  if (!leaf) throw new UsageError(`--cert: ${certFile} holds no PEM certificate`);

  const keyFile = requiredOption(values, 'key');
  const keyPem = readOptionFile('key', keyFile);
  if (!leaf.checkPrivateKey(parseKey(keyPem, keyFile))) throw new UsageError(`--key: ${keyFile} is not the key of the certificate in --cert`);

  const caFile = requiredOption(values, 'ca-chain');
  const caPem = readOptionFile('ca-chain', caFile);
  const issuer = pemCertificates(caPem).map(parseCertificate).find((ca) => ca && leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  if (!issuer) throw new UsageError(`--ca-chain: ${caFile} holds no certificate that signed the certificate in --cert (issuer ${oneLine(leaf.issuer)})`);

  const rootFile = requiredOption(values, 'root-ca');
  const rootCaPem = readOptionFile('root-ca', rootFile);
  if (pemCertificates(rootCaPem).length === 0) throw new UsageError(`--root-ca: ${rootFile} holds no PEM certificate`);

  const clientId = values['client-id'] ?? commonName(leaf);
  if (!clientId) throw new UsageError('--client-id: required, because the certificate in --cert has no CN');
  const topic = values.topic ?? `things/${clientId}/hello`;
  if (topic === '' || /[+#]/.test(topic)) throw new UsageError(`--topic: "${topic}" is not a topic name (empty or has a wildcard)`);

  return {
    endpoint,
    port: integerOption(values, 'port', 1, 65535),
    certChainPem: certificateChain(leafPem, caPem),
    keyPem,
    rootCaPem,
    clientId,
    topic,
    message: values.message ?? `hello from ${clientId}`,
    maxAttempts: integerOption(values, 'max-attempts', 1, 1000),
    baseDelayMs: integerOption(values, 'base-delay-ms', 0, 3_600_000),
    receive: values.receive === true,
  };
}


function parseKey(pem: string, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new UsageError(`--key: ${file} is not an unencrypted PEM private key`);
  }
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
