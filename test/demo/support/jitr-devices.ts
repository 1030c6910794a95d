/**
 * Devices for a running JitrDemo stack: a factory CA registered through the stack's own
 * POST /caRegister (SigV4), and devices whose one connection attempt triggers JITR.
 */
import { GetRegistrationCodeCommand, IoTClient } from '@aws-sdk/client-iot';
import { signedRequest } from '../../../cli/src/aws/signed-request';
import { connectWithMqttJs } from '../../../demo/jitr/device-mqttjs';
import { JITR_STACK } from '../../../demo/jitr/stack-flow';
import {
  CertificateAuthority, createCaCertificate, createVerificationCertificate, issueDeviceCertificateWithNewKey,
} from '../../../lambda-assets/shared/pki';
import type { RunningStacks } from '../../../local/runner/stack-runner';

export interface FactoryCa {
  readonly authority: CertificateAuthority;
  readonly certificatePem: string;
  readonly caCertificateId: string;
}

export async function registerFactoryCa(runner: RunningStacks): Promise<FactoryCa> {
  const ca = await createCaCertificate({ subject: { commonName: 'Test Factory CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
  const iot = new IoTClient({ region: runner.region, credentials: runner.adminCredentials, endpoint: runner.endpoints.IOT });
  try {
    const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
    const verification = await createVerificationCertificate(ca.authority, registrationCode!);
    const outputs = runner.stacks.find((stack) => stack.stackName === JITR_STACK)!.outputs;
    const answer = await signedRequest(runner.localUrl(outputs.CaRegisterUrl), {
      method: 'POST',
      region: runner.region,
      credentials: runner.adminCredentials,
      body: JSON.stringify({ caCertificatePem: ca.certificatePem, verificationCertificatePem: verification.certificatePem, verifierName: 'allowList' }),
    });
    if (answer.status !== 200) throw new Error(`POST /caRegister answered ${answer.status}: ${answer.text}`);
    return { authority: ca.authority, certificatePem: ca.certificatePem, caCertificateId: answer.json.caCertificateId };
  } finally {
    iot.destroy();
  }
}

/**
 * A new device's first connection (mqtt.js): AWS IoT registers its certificate, publishes the
 * registration event and closes the connection. Answers the certificate id.
 */
export async function firstConnect(runner: RunningStacks, ca: FactoryCa, thingName: string): Promise<string> {
  const device = await issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: thingName }, validityDays: 30 });
  const attempt = connectWithMqttJs({
    endpoint: 'localhost',
    port: runner.cloud.mqtt.port,
    certChainPem: `${device.certificatePem.trim()}\n${ca.certificatePem.trim()}\n`,
    keyPem: device.privateKeyPem,
    rootCaPem: runner.cloud.serverIdentity.caCertificatePem,
    clientId: thingName,
    topic: `things/${thingName}/hello`,
    message: 'first',
    maxAttempts: 1,
    baseDelayMs: 0,
    receive: false,
  });
  const outcome = await attempt.then(async (session) => {
    await session.disconnect();
    return 'accepted';
  }, () => 'closed');
  if (outcome !== 'closed') throw new Error(`${thingName}: the first connection was accepted; JITR closes it`);
  return device.certificateId;
}

