/**
 * CSR provisioning on the synthesized CsrApiDemo stack, run by the local runner: a factory line
 * signs its calls with SigV4 as the role the stack granted; the stack's function provisions through
 * RegisterThing.
 *
 * 1. Unsigned calls are refused; bad input (no CSR, bad base64, an RSA-1024 or Ed25519 CSR, a
 *    forged CSR signature, an oversized body) answers 4xx naming the field and creates nothing.
 * 2. A device's CSR (made with openssl; the key stays on the device) gets a thing, an ACTIVE
 *    certificate and the shared policy; the device connects with mosquitto_pub and publishes.
 * 3. Asking again for the same thing answers 409 with the existing certificate; `rotate: true`
 *    issues a new one and deactivates the old one after; the device connects with the new one and
 *    the old one is refused.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeCertificateCommand, IoTClient, ListCertificatesCommand, ListThingPrincipalsCommand, ListThingsCommand } from '@aws-sdk/client-iot';
import { signedRequest } from '../../cli/src/aws/signed-request';
import type { RunningStacks } from '../../local/runner/stack-runner';
import type { FlowStep } from '../jitr/stack-flow';
import { mosquittoPubWithRetries } from '../shared/mosquitto-device';
import type { StackDiagnostics } from '../shared/stack-diagnostics';

export const CSR_API_STACK = 'CsrApiDemo';
const DEVICE = 'factory-sensor-1';

export interface CsrApiFlowOptions {
  readonly runner: RunningStacks;
  readonly diagnostics: StackDiagnostics;
  readonly workDirectory: string;
}

/** A key and CSR made with openssl, as factory tooling does; `keyOptions` picks the key. */
function opensslCsr(workDirectory: string, name: string, keyOptions: string[]): { csrPem: string; keyPath: string } {
  const keyPath = join(workDirectory, `${name}.key.pem`);
  const csrPath = join(workDirectory, `${name}.csr.pem`);
  execFileSync('openssl', ['req', '-new', ...keyOptions, '-nodes', '-keyout', keyPath, '-subj', `/CN=${name}`, '-out', csrPath], { stdio: 'pipe' });
  return { csrPem: readFileSync(csrPath, 'utf8'), keyPath };
}

/** The CSR with one byte of its signature flipped: well-formed, but not signed by its key. */
function forged(csrPem: string): string {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 5] = der[der.length - 5] === 0 ? 1 : der[der.length - 5] - 1;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export async function runCsrApiFlow(step: FlowStep, options: CsrApiFlowOptions): Promise<void> {
  const { runner, diagnostics, workDirectory } = options;
  const outputs = runner.stacks.find((stack) => stack.stackName === CSR_API_STACK)?.outputs;
  if (!outputs) throw new Error(`stack ${CSR_API_STACK} is not running`);
  const url = runner.localUrl(outputs.ProvisionDeviceUrl);
  const factoryLine = runner.iam.credentialsFor(outputs.FactoryLineRoleArn);
  const provision = (body: unknown, signed = true) => signedRequest(url, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), region: runner.region, credentials: signed ? factoryLine : undefined,
  });
  const iot = new IoTClient({ region: runner.region, credentials: runner.adminCredentials, endpoint: runner.endpoints.IOT });
  const registrySize = async () => {
    const [things, certificates] = await Promise.all([iot.send(new ListThingsCommand({})), iot.send(new ListCertificatesCommand({}))]);
    return `${things.things?.length ?? 0} things, ${certificates.certificates?.length ?? 0} certificates`;
  };
  const connect = async (certPath: string, keyPath: string) => mosquittoPubWithRetries({
    host: 'localhost',
    port: runner.cloud.mqtt.port,
    caFile: runner.cloud.serverIdentity.caCertificatePath,
    certChainFile: certPath,
    keyFile: keyPath,
    clientId: DEVICE,
    topic: `things/${DEVICE}/hello`,
    message: `hello from ${DEVICE}`,
  }, 3);

  try {
    await step('POST /provision/device without a signature is refused', async () => {
      const answer = await provision({ ThingName: DEVICE, CSR: 'x' }, false);
      if (answer.status !== 403) throw new Error(`expected 403, got ${answer.status}: ${answer.text}`);
      return `403 ${answer.text}`;
    });

    const before = await registrySize();
    await step('bad input answers 4xx naming the field, and creates nothing', async () => {
      const good = opensslCsr(workDirectory, 'good', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
      const rsa1024 = opensslCsr(workDirectory, 'weak', ['-newkey', 'rsa:1024']);
      const ed25519 = opensslCsr(workDirectory, 'edwards', ['-newkey', 'ed25519']);
      const cases: Array<[string, unknown, RegExp]> = [
        ['no CSR', { ThingName: DEVICE }, /CSR/],
        ['bad base64', { ThingName: DEVICE, CSR: '%%% not base64 %%%' }, /CSR/],
        ['an RSA-1024 CSR', { ThingName: DEVICE, CSR: base64(rsa1024.csrPem) }, /CSR.*(2048|RSA)/],
        ['an Ed25519 CSR', { ThingName: DEVICE, CSR: base64(ed25519.csrPem) }, /CSR.*(Ed25519|key)/i],
        ['a forged CSR signature', { ThingName: DEVICE, CSR: base64(forged(good.csrPem)) }, /CSR.*signature/i],
        ['a bad thing name', { ThingName: 'no spaces', CSR: base64(good.csrPem) }, /ThingName/],
        ['an oversized body', JSON.stringify({ ThingName: DEVICE, CSR: base64(good.csrPem), padding: 'x'.repeat(70 * 1024) }), /(body|padding|CSR)/i],
      ];
      const answers: string[] = [];
      for (const [name, body, pattern] of cases) {
        const answer = await provision(body);
        if (answer.status < 400 || answer.status >= 500 || !pattern.test(answer.text)) {
          throw new Error(`${name}: expected a 4xx naming the field (${pattern}), got ${answer.status}: ${answer.text.slice(0, 300)}`);
        }
        answers.push(`${name}: ${answer.status}`);
      }
      const after = await registrySize();
      if (after !== before) throw new Error(`the registry changed: ${before} -> ${after}`);
      return answers.join(', ');
    });

    const first = opensslCsr(workDirectory, DEVICE, ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    let firstCertificateId = '';
    let firstCertPath = '';
    await step(`${DEVICE}: CSR (P-256, key made on the device) -> thing, ACTIVE certificate, shared policy; mosquitto_pub publishes`, async () => {
      const answer = await provision({ ThingName: DEVICE, CSR: base64(first.csrPem) });
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}; ${diagnostics.explain(runner, '')}`);
      firstCertificateId = answer.json.certificateId;
      firstCertPath = join(workDirectory, `${DEVICE}.cert.pem`);
      writeFileSync(firstCertPath, answer.json.certificatePem);
      if (!answer.json.endpointAddress || !answer.json.rootCaPems?.AmazonRootCA1) throw new Error(`answer lacks endpoint or root CAs: ${Object.keys(answer.json)}`);
      const runs = await connect(firstCertPath, first.keyPath);
      if (runs[runs.length - 1].code !== 0) throw new Error(`mosquitto_pub failed: ${runs[runs.length - 1].stderr}`);
      return `certificate ${firstCertificateId.slice(0, 12)}..., mosquitto_pub exit ${runs.map((run) => run.code).join(' -> ')}`;
    });

    await step('the same thing again: 409 with the existing certificate id, nothing new', async () => {
      const again = opensslCsr(workDirectory, `${DEVICE}-again`, ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
      const sizeBefore = await registrySize();
      const answer = await provision({ ThingName: DEVICE, CSR: base64(again.csrPem) });
      if (answer.status !== 409 || answer.json?.existingCertificateId !== firstCertificateId) {
        throw new Error(`expected 409 naming ${firstCertificateId}, got ${answer.status}: ${answer.text}`);
      }
      if (await registrySize() !== sizeBefore) throw new Error('the registry changed');
      return `409 ${answer.json.error.code}, existing ${firstCertificateId.slice(0, 12)}...`;
    });

    await step('rotate: a new certificate (RSA-2048) ACTIVE and attached, the old one INACTIVE after; the old one is refused', async () => {
      const next = opensslCsr(workDirectory, `${DEVICE}-next`, ['-newkey', 'rsa:2048']);
      const answer = await provision({ ThingName: DEVICE, CSR: base64(next.csrPem), rotate: true });
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}`);
      const nextCertPath = join(workDirectory, `${DEVICE}-next.cert.pem`);
      writeFileSync(nextCertPath, answer.json.certificatePem);
      const old = await iot.send(new DescribeCertificateCommand({ certificateId: firstCertificateId }));
      const fresh = await iot.send(new DescribeCertificateCommand({ certificateId: answer.json.certificateId }));
      const { principals } = await iot.send(new ListThingPrincipalsCommand({ thingName: DEVICE }));
      if (old.certificateDescription?.status !== 'INACTIVE' || fresh.certificateDescription?.status !== 'ACTIVE') {
        throw new Error(`old ${old.certificateDescription?.status}, new ${fresh.certificateDescription?.status}`);
      }
      if (!principals?.includes(fresh.certificateDescription.certificateArn!)) throw new Error(`principals ${JSON.stringify(principals)}`);
      const withNew = await connect(nextCertPath, next.keyPath);
      const withOld = await connect(firstCertPath, first.keyPath);
      if (withNew[withNew.length - 1].code !== 0) throw new Error(`the new certificate was refused: ${withNew[withNew.length - 1].stderr}`);
      if (withOld.every((run) => run.code !== 0) === false) throw new Error('the old certificate still connects');
      return `new ${answer.json.certificateId.slice(0, 12)}... ACTIVE, old INACTIVE; new connects, old refused`;
    });
  } finally {
    iot.destroy();
  }
}
