import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { certificateChain, commonName, pemCertificates } from './pem';

/** Bad command-line input; the message names the argument. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What a demo device needs to connect, publish one message and leave. */
export interface DeviceConfig {
  readonly endpoint: string;
  readonly port: number;
  /** The device certificate followed by the CA chain (PEM), as sent in the TLS handshake. */
  readonly certChainPem: string;
  readonly keyPem: string;
  /** The server trust: every certificate of the --root-ca file (PEM). */
  readonly rootCaPem: string;
  readonly clientId: string;
  readonly topic: string;
  readonly message: string;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
}

export const USAGE = [
  'options: --endpoint HOST --cert FILE --key FILE --ca-chain FILE --root-ca FILE',
  '         [--port 8883] [--client-id ID (default: the certificate CN)] [--topic TOPIC (default: things/<client-id>/hello)]',
  '         [--message TEXT] [--max-attempts 8] [--base-delay-ms 500] [--help]',
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
  'help': { type: 'boolean', short: 'h' },
} as const;

type StringOption = Exclude<keyof typeof OPTIONS, 'help'>;
type Values = Partial<Record<StringOption, string>>;

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
  const endpoint = required(values, 'endpoint');
  if (endpoint.includes('://') || endpoint.includes('/')) throw new UsageError(`--endpoint: give a host name, not a URL (got "${endpoint}")`);

  const certFile = required(values, 'cert');
  const leafPem = pemCertificates(readArgFile('cert', certFile))[0];
  const leaf = leafPem && parseCertificate(leafPem);
  if (!leaf) throw new UsageError(`--cert: ${certFile} holds no PEM certificate`);

  const keyFile = required(values, 'key');
  const keyPem = readArgFile('key', keyFile);
  if (!leaf.checkPrivateKey(parseKey(keyPem, keyFile))) throw new UsageError(`--key: ${keyFile} is not the key of the certificate in --cert`);

  const caFile = required(values, 'ca-chain');
  const caPem = readArgFile('ca-chain', caFile);
  const issuer = pemCertificates(caPem).map(parseCertificate).find((ca) => ca && leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  if (!issuer) throw new UsageError(`--ca-chain: ${caFile} holds no certificate that signed the certificate in --cert (issuer ${oneLine(leaf.issuer)})`);

  const rootFile = required(values, 'root-ca');
  const rootCaPem = readArgFile('root-ca', rootFile);
  if (pemCertificates(rootCaPem).length === 0) throw new UsageError(`--root-ca: ${rootFile} holds no PEM certificate`);

  const clientId = values['client-id'] ?? commonName(leaf);
  if (!clientId) throw new UsageError('--client-id: required, because the certificate in --cert has no CN');
  const topic = values.topic ?? `things/${clientId}/hello`;
  if (topic === '' || /[+#]/.test(topic)) throw new UsageError(`--topic: "${topic}" is not a topic name (empty or has a wildcard)`);

  return {
    endpoint,
    port: integer(values, 'port', 1, 65535),
    certChainPem: certificateChain(leafPem, caPem),
    keyPem,
    rootCaPem,
    clientId,
    topic,
    message: values.message ?? `hello from ${clientId}`,
    maxAttempts: integer(values, 'max-attempts', 1, 1000),
    baseDelayMs: integer(values, 'base-delay-ms', 0, 3_600_000),
  };
}

function required(values: Values, name: StringOption): string {
  const value = values[name];
  if (!value) throw new UsageError(`--${name}: required`);
  return value;
}

function integer(values: Values, name: StringOption, min: number, max: number): number {
  const text = values[name] ?? '';
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function readArgFile(name: StringOption, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--${name}: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
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
