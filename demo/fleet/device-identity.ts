/**
 * A fleet-provisioning device on aws-iot-device-sdk-v2 (MQTT 3.1.1 over mutual TLS), using the
 * SDK's identity client (`iotidentity.IotIdentityClient`).
 *
 * With its CLAIM certificate it asks AWS IoT for a certificate of its own, either
 * - `--mode keys`: CreateKeysAndCertificate (AWS IoT makes the key pair and sends the private key), or
 * - `--mode csr`: CreateCertificateFromCsr (the device makes an ECDSA P-256 key and a CSR; the key
 *   never leaves the device),
 * then RegisterThing on the `--template` with `{SerialNumber}`, disconnects, reconnects with the new
 * certificate (client id = the thing name) and publishes one message on `things/<thingName>/hello`.
 * Every request subscribes to its `/accepted` and `/rejected` topics first, then publishes.
 *
 * Exit codes: 0 on success; 1 when a step was rejected (the `/rejected` payload is printed) or
 * failed otherwise; 2 for bad arguments.
 * Run: npx ts-node --project tsconfig.dev.json demo/fleet/device-identity.ts --help
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect polyfill first.
import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as x509 from '@peculiar/x509';
import { iotidentity, mqtt } from 'aws-iot-device-sdk-v2';
import { describeError } from '../../cli/src/device/describe-error';
import { runDevice } from '../../cli/src/device/device-flow';
import { connectWithSdkV2, openMtlsConnection } from '../../cli/src/device/mtls-connection';
import { pemCertificates } from '../../cli/src/device/pem';
import { CONSOLE_OUTPUT, runAsScript, type DeviceOutput } from '../shared/device-cli';
import { integerOption, parseCertificate, readOptionFile, requiredOption, UsageError } from '../shared/option-readers';

export const USAGE = [
  'options: --endpoint HOST --claim-cert FILE --claim-key FILE --root-ca FILE --template NAME --serial SERIAL --out-dir DIR',
  '         [--mode keys|csr (default keys)] [--port 8883] [--client-id ID (default: claim-<serial>)]',
  '         [--timeout-ms 10000 (per request)] [--message TEXT] [--help]',
].join('\n');

const OPTIONS = {
  'endpoint': { type: 'string' },
  'port': { type: 'string', default: '8883' },
  'claim-cert': { type: 'string' },
  'claim-key': { type: 'string' },
  'root-ca': { type: 'string' },
  'template': { type: 'string' },
  'serial': { type: 'string' },
  'mode': { type: 'string', default: 'keys' },
  'out-dir': { type: 'string' },
  'client-id': { type: 'string' },
  'timeout-ms': { type: 'string', default: '10000' },
  'message': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
} as const;

type StringOption = Exclude<keyof typeof OPTIONS, 'help'>;
type Values = Partial<Record<StringOption, string>>;

/** How the device gets its own certificate. */
export type ProvisioningMode = 'keys' | 'csr';

export interface FleetDeviceConfig {
  readonly endpoint: string;
  readonly port: number;
  readonly claimCertPem: string;
  readonly claimKeyPem: string;
  readonly rootCaPem: string;
  readonly templateName: string;
  readonly serial: string;
  readonly mode: ProvisioningMode;
  readonly outDir: string;
  /** Client id of the claim connection. */
  readonly clientId: string;
  readonly timeoutMs: number;
  readonly message?: string;
}

/** A fleet-provisioning request answered on its `/rejected` topic. */
export class RejectedError extends Error {
  constructor(readonly step: string, readonly payload: iotidentity.model.ErrorResponse) {
    super(`${step} rejected: ${JSON.stringify(payload)}`);
    this.name = 'RejectedError';
  }
}

/** Template names AWS IoT accepts; serials become part of a thing name (`[a-zA-Z0-9:_-]`). */
const TEMPLATE_NAME = /^[0-9A-Za-z_-]{1,36}$/;
const SERIAL = /^[0-9A-Za-z:_-]{1,64}$/;

/** Parses and checks the command line, reading every file it names; throws UsageError. */
export function parseFleetArgs(argv: readonly string[]): FleetDeviceConfig {
  let values: Values;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const endpoint = requiredOption(values, 'endpoint');
  if (endpoint.includes('://') || endpoint.includes('/')) throw new UsageError(`--endpoint: give a host name, not a URL (got "${endpoint}")`);

  const claimCertFile = requiredOption(values, 'claim-cert');
  const claimCertPem = pemCertificates(readOptionFile('claim-cert', claimCertFile))[0];
  const claimCert = claimCertPem === undefined ? undefined : parseCertificate(claimCertPem);
  if (!claimCertPem || !claimCert) throw new UsageError(`--claim-cert: ${claimCertFile} holds no PEM certificate`);
  const claimKeyFile = requiredOption(values, 'claim-key');
  const claimKeyPem = readOptionFile('claim-key', claimKeyFile);
  let keyMatches: boolean;
  try {
    keyMatches = claimCert.checkPrivateKey(createPrivateKey(claimKeyPem));
  } catch {
    throw new UsageError(`--claim-key: ${claimKeyFile} is not an unencrypted PEM private key`);
  }
  if (!keyMatches) throw new UsageError(`--claim-key: ${claimKeyFile} is not the key of the certificate in --claim-cert`);

  const rootFile = requiredOption(values, 'root-ca');
  const rootCaPem = readOptionFile('root-ca', rootFile);
  if (pemCertificates(rootCaPem).length === 0) throw new UsageError(`--root-ca: ${rootFile} holds no PEM certificate`);

  const templateName = requiredOption(values, 'template');
  if (!TEMPLATE_NAME.test(templateName)) throw new UsageError(`--template: "${templateName}" is not a template name (1-36 of [0-9A-Za-z_-])`);
  const serial = requiredOption(values, 'serial');
  if (!SERIAL.test(serial)) throw new UsageError(`--serial: "${serial}" must be 1-64 of [0-9A-Za-z:_-] (it becomes part of the thing name)`);
  const mode = values.mode ?? 'keys';
  if (mode !== 'keys' && mode !== 'csr') throw new UsageError(`--mode: expected keys or csr, got "${mode}"`);
  const clientId = values['client-id'] ?? `claim-${serial}`;
  if (clientId.length === 0 || clientId.length > 128) throw new UsageError('--client-id: 1-128 characters');

  return {
    endpoint,
    port: integerOption(values, 'port', 1, 65535),
    claimCertPem,
    claimKeyPem,
    rootCaPem,
    templateName,
    serial,
    mode,
    outDir: requiredOption(values, 'out-dir'),
    clientId,
    timeoutMs: integerOption(values, 'timeout-ms', 1, 600_000),
    message: values.message,
  };
}

/** What provisioning produced. */
export interface FleetDeviceResult {
  readonly certificateId: string;
  readonly thingName: string;
  readonly deviceConfiguration: Record<string, string>;
}

/**
 * The fleet provisioning flow: claim connection -> new certificate -> RegisterThing -> disconnect ->
 * connect with the new certificate and publish. Throws RejectedError when AWS IoT rejects a request.
 */
export async function provisionDevice(config: FleetDeviceConfig, log: (line: string) => void): Promise<FleetDeviceResult> {
  log(`connecting to ${config.endpoint}:${config.port} as ${config.clientId} with the claim certificate`);
  const claim = await openMtlsConnection({
    endpoint: config.endpoint,
    port: config.port,
    certPem: config.claimCertPem,
    keyPem: config.claimKeyPem,
    rootCaPem: config.rootCaPem,
    clientId: config.clientId,
    operationTimeoutMs: config.timeoutMs,
  });
  log('connected with the claim certificate');
  let issued: { certificateId: string; certificatePem: string; keyPem: string; token: string };
  let registered: iotidentity.model.RegisterThingResponse;
  try {
    const identity = new iotidentity.IotIdentityClient(claim);
    issued = config.mode === 'keys' ? await createKeysAndCertificate(identity, config, log) : await createCertificateFromCsr(identity, config, log);
    // The key exists nowhere else now (CreateKeysAndCertificate sends it once): keep it before going on.
    mkdirSync(config.outDir, { recursive: true });
    writeFileSync(join(config.outDir, 'device.cert.pem'), issued.certificatePem);
    writeFileSync(join(config.outDir, 'device.key.pem'), issued.keyPem, { mode: 0o600 });
    log(`wrote ${join(config.outDir, 'device.cert.pem')} and device.key.pem`);

    registered = await request<iotidentity.model.RegisterThingResponse>('RegisterThing', config.timeoutMs,
      (handler) => identity.subscribeToRegisterThingAccepted({ templateName: config.templateName }, mqtt.QoS.AtLeastOnce, handler),
      (handler) => identity.subscribeToRegisterThingRejected({ templateName: config.templateName }, mqtt.QoS.AtLeastOnce, handler),
      () => identity.publishRegisterThing({
        templateName: config.templateName,
        certificateOwnershipToken: issued.token,
        parameters: { SerialNumber: config.serial },
      }, mqtt.QoS.AtLeastOnce));
    log(`RegisterThing accepted: thing ${registered.thingName ?? '(none)'}, deviceConfiguration ${JSON.stringify(registered.deviceConfiguration ?? {})}`);
  } finally {
    await claim.disconnect().catch(() => undefined);
    log('disconnected the claim connection');
  }
  const thingName = registered.thingName;
  if (!thingName) throw new Error('RegisterThing accepted without a thingName');

  // The new identity: its own certificate and key, the thing name as client id.
  await runDevice({
    endpoint: config.endpoint,
    port: config.port,
    certChainPem: issued.certificatePem,
    keyPem: issued.keyPem,
    rootCaPem: config.rootCaPem,
    clientId: thingName,
    topic: `things/${thingName}/hello`,
    message: config.message ?? `hello from ${thingName}`,
    // A freshly activated certificate may take a moment to be accepted everywhere.
    maxAttempts: 5,
    baseDelayMs: 500,
    receive: false,
  }, connectWithSdkV2, log);
  return { certificateId: issued.certificateId, thingName, deviceConfiguration: registered.deviceConfiguration ?? {} };
}

async function createKeysAndCertificate(identity: iotidentity.IotIdentityClient, config: FleetDeviceConfig, log: (line: string) => void) {
  const answer = await request<iotidentity.model.CreateKeysAndCertificateResponse>('CreateKeysAndCertificate', config.timeoutMs,
    (handler) => identity.subscribeToCreateKeysAndCertificateAccepted({}, mqtt.QoS.AtLeastOnce, handler),
    (handler) => identity.subscribeToCreateKeysAndCertificateRejected({}, mqtt.QoS.AtLeastOnce, handler),
    () => identity.publishCreateKeysAndCertificate({}, mqtt.QoS.AtLeastOnce));
  logAccepted('CreateKeysAndCertificate', answer, log);
  const { certificateId, certificatePem, privateKey, certificateOwnershipToken } = answer;
  if (!certificateId || !certificatePem || !privateKey || !certificateOwnershipToken) {
    throw new Error('CreateKeysAndCertificate accepted without certificateId, certificatePem, privateKey and certificateOwnershipToken');
  }
  return { certificateId, certificatePem, keyPem: privateKey, token: certificateOwnershipToken };
}

async function createCertificateFromCsr(identity: iotidentity.IotIdentityClient, config: FleetDeviceConfig, log: (line: string) => void) {
  const { csrPem, keyPem } = await createKeyAndCsr(config.serial);
  log('made an ECDSA P-256 key and a CSR on the device');
  const answer = await request<iotidentity.model.CreateCertificateFromCsrResponse>('CreateCertificateFromCsr', config.timeoutMs,
    (handler) => identity.subscribeToCreateCertificateFromCsrAccepted({}, mqtt.QoS.AtLeastOnce, handler),
    (handler) => identity.subscribeToCreateCertificateFromCsrRejected({}, mqtt.QoS.AtLeastOnce, handler),
    () => identity.publishCreateCertificateFromCsr({ certificateSigningRequest: csrPem }, mqtt.QoS.AtLeastOnce));
  logAccepted('CreateCertificateFromCsr', answer, log);
  const { certificateId, certificatePem, certificateOwnershipToken } = answer;
  if (!certificateId || !certificatePem || !certificateOwnershipToken) {
    throw new Error('CreateCertificateFromCsr accepted without certificateId, certificatePem and certificateOwnershipToken');
  }
  if (!new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(keyPem))) {
    throw new Error('CreateCertificateFromCsr answered a certificate for another key than the CSR\'s');
  }
  return { certificateId, certificatePem, keyPem, token: certificateOwnershipToken };
}

/** A new ECDSA P-256 key (PKCS#8 PEM) and a CSR for it with CN=<serial>, made with WebCrypto and @peculiar/x509. */
export async function createKeyAndCsr(serial: string): Promise<{ csrPem: string; keyPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${serial}`, // safe: SERIAL admits no DN syntax characters
    keys,
    signingAlgorithm: { ...algorithm, hash: 'SHA-256' },
  }, webcrypto as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1]);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { csrPem: csr.toString('pem'), keyPem };
}

/** Names the fields of an accepted answer (never the secret values), so a reader sees what crossed the wire. */
function logAccepted(step: string, answer: object & { certificateId?: string }, log: (line: string) => void): void {
  log(`${step} accepted: certificate ${answer.certificateId ?? '(none)'} (fields: ${Object.keys(answer).sort().join(', ')})`);
}

type Handler<T> = (error?: iotidentity.IotIdentityError, response?: T) => void;

/**
 * One request of the fleet provisioning MQTT API, as AWS documents it: subscribe to the
 * `/accepted` and `/rejected` topics first (a refused subscription fails here, not as a timeout),
 * then publish, then wait for the first answer.
 */
async function request<T>(
  step: string,
  timeoutMs: number,
  subscribeAccepted: (handler: Handler<T>) => Promise<mqtt.MqttSubscribeRequest>,
  subscribeRejected: (handler: Handler<iotidentity.model.ErrorResponse>) => Promise<mqtt.MqttSubscribeRequest>,
  publish: () => Promise<unknown>,
): Promise<T> {
  let settle!: { resolve: (value: T) => void; reject: (error: Error) => void };
  const answer = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  answer.catch(() => undefined); // awaited below; an early answer must not count as unhandled
  const onAccepted: Handler<T> = (error, response) => {
    if (error) settle.reject(new Error(`${step}: unreadable /accepted payload: ${error.message}`));
    else if (response === undefined) settle.reject(new Error(`${step}: empty /accepted payload`));
    else settle.resolve(response);
  };
  const onRejected: Handler<iotidentity.model.ErrorResponse> = (error, response) => {
    if (error) settle.reject(new Error(`${step}: unreadable /rejected payload: ${error.message}`));
    else settle.reject(new RejectedError(step, response ?? {}));
  };
  for (const subscription of [await subscribeAccepted(onAccepted), await subscribeRejected(onRejected)]) {
    // aws-crt resolves a SUBACK failure (0x80) instead of rejecting: check the granted QoS.
    if (subscription.qos > 2 || subscription.error_code) {
      throw new Error(`${step}: the subscription to ${subscription.topic} was refused (SUBACK 0x80); `
        + 'the claim policy must allow iot:Subscribe on topicfilter/... ARNs');
    }
  }
  await publish();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([answer, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${step}: no answer within ${timeoutMs} ms`)), timeoutMs);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The script's main, for tests: returns the exit code (0 provisioned and published; 1 a step was
 * rejected or failed; 2 bad arguments).
 */
export async function main(argv: readonly string[], out: DeviceOutput = CONSOLE_OUTPUT): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.info(USAGE);
    return 0;
  }
  let config: FleetDeviceConfig;
  try {
    config = parseFleetArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out.error(`error: ${err.message} (see --help)`);
    return 2;
  }
  try {
    const result = await provisionDevice(config, (line) => out.info(line));
    out.info(`provisioned thing ${result.thingName} with certificate ${result.certificateId}`);
    return 0;
  } catch (err) {
    out.error(`error: ${describeError(err)}`);
    return 1;
  }
}


if (require.main === module) {
  runAsScript(main);
}
