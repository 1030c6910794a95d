import { X509Certificate, createPrivateKey } from 'node:crypto';
import { DescribeEndpointCommand } from '@aws-sdk/client-iot';
import { AMAZON_ROOT_CA_PEMS } from '../../../lambda-assets/shared/iot/amazon-root-cas';
import { awsCall } from '../aws/aws-errors';
import { awsSettings, iotClient } from '../aws/aws-settings';
import { integerOption, requiredString, stringOption, type Command, type CommandContext } from '../command';
import { describeError } from '../device/describe-error';
import { runDevice, type Connector, type DeviceConfig } from '../device/device-flow';
import { connectWithSdkV2 } from '../device/mtls-connection';
import { certificateChain, commonName, pemCertificates } from '../device/pem';
import { RetriesExhaustedError } from '../device/retry';
import { CliError, EXIT, fileError, usageError } from '../exit-codes';
import { readInputFile } from '../files';

/** `device connect`: a device's first connection, as aws-iot-device-sdk-v2 makes it, timed. */
export const deviceConnect: Command = {
  name: 'device connect',
  summary: 'connect as a device (aws-iot-device-sdk-v2, mutual TLS), retry the first-connect close, publish, time onboarding',
  usage: [
    '  --cert FILE         the device certificate, or its chain file (certificate + CA, as `device cert` writes it)',
    '  --key FILE          its private key',
    '  --ca-chain FILE     the CA to present after the certificate, when --cert holds the certificate alone (JITR and JITP need it)',
    '  --endpoint HOST[:PORT]  (default: DescribeEndpoint iot:Data-ATS of the configured account and Region)',
    '  --root-ca FILE      the server CAs to trust (default: Amazon Root CA 1 and 3; the local cloud prints its own)',
    '  --client-id ID (default: the certificate CN)   --topic T (default things/<client-id>/hello)   --message TEXT',
    '  --receive           subscribe first and wait for the message to come back',
    '  --max-attempts N (default 8)   --base-delay-ms MS (default 1000; doubles per attempt, jittered, up to 30 s)',
  ].join('\n'),
  options: {
    'cert': { type: 'string' },
    'key': { type: 'string' },
    'ca-chain': { type: 'string' },
    'endpoint': { type: 'string' },
    'root-ca': { type: 'string' },
    'client-id': { type: 'string' },
    'topic': { type: 'string' },
    'message': { type: 'string' },
    'receive': { type: 'boolean', default: false },
    'max-attempts': { type: 'string' },
    'base-delay-ms': { type: 'string' },
  },
  usesAws: true,
  async run(context) {
    const config = await deviceConfig(context);
    return connect(context, config, connectWithSdkV2);
  },
};

/** Runs the device and reports; exported so the retry and timing logic is testable with a fake connector. */
export async function connect({ out }: CommandContext, config: DeviceConfig, connector: Connector): Promise<number> {
  const started = Date.now();
  let connectedAfterMs = 0;
  const timed: Connector = async (attemptConfig) => {
    const session = await connector(attemptConfig);
    connectedAfterMs = Date.now() - started;
    return session;
  };
  try {
    const { attempts } = await runDevice(config, timed, (line) => out.progress(line));
    const totalMs = Date.now() - started;
    out.result({
      clientId: config.clientId,
      endpoint: `${config.endpoint}:${config.port}`,
      attempts,
      onboardingMs: connectedAfterMs,
      totalMs,
      topic: config.topic,
      published: true,
      received: config.receive,
    }, [
      `${config.clientId} connected on attempt ${attempts} after ${(connectedAfterMs / 1000).toFixed(1)} s`
        + `${attempts > 1 ? ' (the first connection(s) were closed while AWS IoT registered it)' : ''}`,
      `published to ${config.topic}${config.receive ? ' and received it back' : ''}; ${(totalMs / 1000).toFixed(1)} s in all`,
    ]);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof RetriesExhaustedError) {
      throw new CliError(`${config.clientId} could not connect: ${error.message}`, EXIT.DEVICE,
        'is the CA registered with auto-registration (`ca list`), does --cert carry the CA after the certificate,'
        + ' and did the stack activate it (its verifier, its dead-letter queue)?');
    }
    throw new CliError(`${config.clientId} connected but: ${describeError(error)}`, EXIT.DEVICE,
      'the device policy decides what it may publish and subscribe to: use a topic under things/<thing name>/');
  }
}

async function deviceConfig(context: CommandContext): Promise<DeviceConfig> {
  const { values } = context;
  const certFile = requiredString(values, 'cert');
  const certPems = pemCertificates(readInputFile('cert', certFile));
  const leaf = certPems[0] && parse(certPems[0]);
  if (!leaf) throw fileError(`--cert: ${certFile} holds no PEM certificate`);
  const keyFile = requiredString(values, 'key');
  const keyPem = readInputFile('key', keyFile);
  let keyMatches: boolean;
  try {
    keyMatches = leaf.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw fileError(`--key: ${keyFile} is not an unencrypted PEM private key`);
  }
  if (!keyMatches) throw fileError(`--key: ${keyFile} is not the key of the certificate in ${certFile}`);

  const caChainFile = stringOption(values, 'ca-chain');
  const chainPem = certificateChain(certPems.join(''), caChainFile ? readInputFile('ca-chain', caChainFile) : '');
  if (pemCertificates(chainPem).length === 1 && leaf.issuer !== leaf.subject) {
    context.out.warn('the CA is not presented (--cert holds the certificate alone, no --ca-chain): fine for a registered device,'
      + ' but a first JITR/JITP connection needs it');
  }
  const rootCaFile = stringOption(values, 'root-ca');
  const rootCaPem = rootCaFile ? readInputFile('root-ca', rootCaFile) : Object.values(AMAZON_ROOT_CA_PEMS).join('');
  if (pemCertificates(rootCaPem).length === 0) throw fileError(`--root-ca: ${rootCaFile} holds no PEM certificate`);

  const { host, port } = await endpointOf(context);
  const clientId = stringOption(values, 'client-id') ?? commonName(leaf);
  if (!clientId) throw usageError('--client-id is required: the certificate has no CN to use');
  const topic = stringOption(values, 'topic') ?? `things/${clientId}/hello`;
  if (/[+#]/.test(topic)) throw usageError(`--topic: "${topic}" is a filter, not a topic name (no + or #)`);
  return {
    endpoint: host,
    port,
    certChainPem: chainPem,
    keyPem,
    rootCaPem,
    clientId,
    topic,
    message: stringOption(values, 'message') ?? JSON.stringify({ hello: clientId, at: new Date().toISOString() }),
    maxAttempts: integerOption(values, 'max-attempts', 8, 1, 100),
    baseDelayMs: integerOption(values, 'base-delay-ms', 1000, 0, 60_000),
    receive: values.receive === true,
  };
}

/** --endpoint, else the account's ATS data endpoint (never the legacy iot:Data one, whose certificate chains elsewhere). */
async function endpointOf({ values, out }: CommandContext): Promise<{ host: string; port: number }> {
  let text = stringOption(values, 'endpoint');
  if (text === undefined) {
    const iot = await iotClient(awsSettings(values));
    const answer = await awsCall('DescribeEndpoint', () => iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })));
    text = answer.endpointAddress ?? '';
    out.progress(`endpoint (DescribeEndpoint iot:Data-ATS): ${text}`);
  }
  const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) throw usageError(`--endpoint: expected HOST or HOST:PORT (no scheme, no path), got "${text}"`);
  const port = match[2] === undefined ? 8883 : Number(match[2]);
  if (port < 1 || port > 65535) throw usageError(`--endpoint: port ${port} is out of range`);
  return { host: match[1], port };
}

function parse(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}
