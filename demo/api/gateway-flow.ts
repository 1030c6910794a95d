/**
 * The registration gateway on the synthesized GatewayDemo stack, run by the local runner: the
 * stack's token authorizer, registrar, token ledger and registry-event archive do the work.
 *
 * 1. The operator puts the tokens' SHA-256 hashes in the stack's secret (never the tokens).
 * 2. No token, a wrong token or the wrong identifier are refused; bad bodies answer 400 naming the
 *    field; nothing is created.
 * 3. A device registers with a token and gets thing, certificate, key, endpoint and root CAs, then
 *    publishes with mosquitto_pub; registering it again answers 409.
 * 4. A one-time token works once; its replay is refused and creates nothing. A token that allows
 *    re-issue gives the registered device a new certificate and deactivates the old one.
 * 5. The registry events of the things are in the archive bucket.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeCertificateCommand, DescribeThingCommand, IoTClient, ListThingsCommand } from '@aws-sdk/client-iot';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RunningStacks } from '../../local/runner/stack-runner';
import type { FlowStep } from '../jitr/stack-flow';
import { mosquittoPubWithRetries } from '../shared/mosquitto-device';
import type { StackDiagnostics } from '../shared/stack-diagnostics';

export const GATEWAY_STACK = 'GatewayDemo';

export interface GatewayFlowOptions {
  readonly runner: RunningStacks;
  readonly diagnostics: StackDiagnostics;
  readonly workDirectory: string;
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: any;
}

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export async function runGatewayFlow(step: FlowStep, options: GatewayFlowOptions): Promise<void> {
  const { runner, diagnostics, workDirectory } = options;
  const outputs = runner.stacks.find((stack) => stack.stackName === GATEWAY_STACK)?.outputs;
  if (!outputs) throw new Error(`stack ${GATEWAY_STACK} is not running`);
  const url = runner.localUrl(outputs.RegisterUrl);
  const register = async (body: unknown, authorization?: string): Promise<Answer> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  };
  const clientConfig = { region: runner.region, credentials: runner.adminCredentials };
  const iot = new IoTClient({ ...clientConfig, endpoint: runner.endpoints.IOT });
  const things = async () => (await iot.send(new ListThingsCommand({}))).things?.map((thing) => thing.thingName).sort() ?? [];
  const tokens = { line: randomBytes(24).toString('base64url'), once: randomBytes(24).toString('base64url'), service: randomBytes(24).toString('base64url') };

  try {
    await step('the operator puts the tokens\' SHA-256 hashes in the stack\'s secret (the tokens themselves are never stored)', async () => {
      const secrets = new SecretsManagerClient({ ...clientConfig, endpoint: runner.endpoints.SECRETS_MANAGER });
      try {
        await secrets.send(new PutSecretValueCommand({
          SecretId: outputs.TokensSecretArn,
          SecretString: JSON.stringify({
            tokens: [
              { id: 'assembly-line', sha256: sha256(tokens.line), oneTime: false, allowReissue: false, thingTypes: ['sensor'] },
              { id: 'installer-once', sha256: sha256(tokens.once), oneTime: true, allowReissue: false, thingTypes: [] },
              { id: 'service-desk', sha256: sha256(tokens.service), oneTime: false, allowReissue: true, thingTypes: [] },
            ],
          }),
        }));
      } finally {
        secrets.destroy();
      }
      return 'three tokens: assembly-line (sensor), installer-once (one-time), service-desk (may re-issue)';
    });

    const before = await things();
    await step('no token, a wrong token, the wrong identifier, bad bodies: refused, nothing created', async () => {
      const cases: Array<[string, unknown, string | undefined, number, RegExp]> = [
        ['no Authorization', { thingName: 'gw-x', version: '1.0' }, undefined, 401, /Unauthorized/],
        ['a wrong token', { thingName: 'gw-x', version: '1.0' }, `Token ${randomBytes(24).toString('base64url')}`, 401, /Unauthorized/],
        ['the wrong identifier', { thingName: 'gw-x', version: '1.0' }, `Bearer ${tokens.line}`, 401, /Unauthorized/],
        ['no version', { thingName: 'gw-x' }, `Token ${tokens.line}`, 400, /version/],
        ['a bad thing name', { thingName: 'no spaces', version: '1.0' }, `Token ${tokens.line}`, 400, /thingName/],
        ['an attribute the type does not have', { thingName: 'gw-x', version: '1.0', attributes: { colour: 'red' } }, `Token ${tokens.line}`, 400, /colour/],
        ['a type the token may not register', { thingName: 'gw-x', version: '1.0', thingType: 'hub' }, `Token ${tokens.line}`, 403, /thingType/],
      ];
      const results: string[] = [];
      for (const [name, body, authorization, status, pattern] of cases) {
        const answer = await register(body, authorization);
        if (answer.status !== status || !pattern.test(answer.text)) {
          throw new Error(`${name}: expected ${status} matching ${pattern}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
        }
        results.push(`${name}: ${answer.status}`);
      }
      const after = await things();
      if (after.join() !== before.join()) throw new Error(`things changed: ${before} -> ${after}`);
      return results.join(', ');
    });

    let firstCertificateId = '';
    await step('gw-sensor-1 registers with the assembly-line token, gets certificate, key, endpoint, root CAs; mosquitto_pub publishes', async () => {
      const answer = await register({ thingName: 'gw-sensor-1', version: '1.4.2', attributes: { model: 'T-100' } }, `Token ${tokens.line}`);
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}; ${diagnostics.explain(runner, '')}`);
      const { certificateId, certificatePem, privateKey, endpoint, rootCa } = answer.json;
      if (!endpoint || !rootCa?.preferred || !rootCa?.backup) throw new Error(`answer lacks endpoint or root CAs: ${Object.keys(answer.json)}`);
      firstCertificateId = certificateId;
      const certPath = join(workDirectory, 'gw-sensor-1.cert.pem');
      const keyPath = join(workDirectory, 'gw-sensor-1.key.pem');
      writeFileSync(certPath, certificatePem);
      writeFileSync(keyPath, privateKey, { mode: 0o600 });
      const runs = await mosquittoPubWithRetries({
        host: 'localhost',
        port: runner.cloud.mqtt.port,
        caFile: runner.cloud.serverIdentity.caCertificatePath,
        certChainFile: certPath,
        keyFile: keyPath,
        clientId: 'gw-sensor-1',
        topic: 'things/gw-sensor-1/hello',
        message: 'hello',
      }, 3);
      if (runs[runs.length - 1].code !== 0) throw new Error(`mosquitto_pub failed: ${runs[runs.length - 1].stderr}`);
      return `certificate ${certificateId.slice(0, 12)}..., mosquitto_pub exit ${runs.map((run) => run.code).join(' -> ')}`;
    });

    await step('gw-sensor-1 again with the same token: 409, nothing new', async () => {
      const answer = await register({ thingName: 'gw-sensor-1', version: '1.4.2' }, `Token ${tokens.line}`);
      if (answer.status !== 409) throw new Error(`expected 409, got ${answer.status}: ${answer.text}`);
      return `409 ${answer.json?.error?.code}`;
    });

    await step('a one-time token registers gw-hub-1 once; its replay is refused and gw-hub-2 is not created', async () => {
      const first = await register({ thingName: 'gw-hub-1', version: '2.0', thingType: 'hub' }, `Token ${tokens.once}`);
      if (first.status !== 200) throw new Error(`expected 200, got ${first.status}: ${first.text}`);
      const replay = await register({ thingName: 'gw-hub-2', version: '2.0', thingType: 'hub' }, `Token ${tokens.once}`);
      if (replay.status !== 401 || !/TokenAlreadyUsed/.test(replay.text)) throw new Error(`replay: expected 401 TokenAlreadyUsed, got ${replay.status}: ${replay.text}`);
      if ((await things()).includes('gw-hub-2')) throw new Error('gw-hub-2 was created');
      return `gw-hub-1: 200; replay: 401 ${replay.json?.error?.code}; no gw-hub-2`;
    });

    await step('the service-desk token re-issues gw-sensor-1: a new certificate, the old one INACTIVE, the new version recorded', async () => {
      const answer = await register({ thingName: 'gw-sensor-1', version: '1.4.3' }, `Token ${tokens.service}`);
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}`);
      const old = await iot.send(new DescribeCertificateCommand({ certificateId: firstCertificateId }));
      if (old.certificateDescription?.status !== 'INACTIVE') throw new Error(`old certificate is ${old.certificateDescription?.status}`);
      const { attributes } = await iot.send(new DescribeThingCommand({ thingName: 'gw-sensor-1' }));
      if (attributes?.version !== '1.4.3' || attributes?.model !== 'T-100') throw new Error(`thing attributes after re-issue: ${JSON.stringify(attributes)}`);
      return `new ${answer.json.certificateId.slice(0, 12)}..., old ${firstCertificateId.slice(0, 12)}... INACTIVE, version 1.4.3 recorded`;
    });

    await step('the things\' registry events are archived in S3 by the stack\'s topic rule', async () => {
      const s3 = new S3Client({ ...clientConfig, endpoint: runner.endpoints.S3, forcePathStyle: true });
      try {
        await runner.settled();
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: outputs.RegistryEventsBucket, Prefix: 'events/' }));
        const keys = (listed.Contents ?? []).map((object) => object.Key!);
        for (const thing of ['gw-sensor-1', 'gw-hub-1']) {
          if (!keys.some((key) => key.startsWith(`events/$aws/events/thing/${thing}/created/`))) {
            throw new Error(`no created event archived for ${thing} (keys: ${keys.slice(0, 5).join(', ')})`);
          }
        }
        return `${keys.length} events, e.g. ${keys[0]}`;
      } finally {
        s3.destroy();
      }
    });
  } finally {
    iot.destroy();
  }
}
