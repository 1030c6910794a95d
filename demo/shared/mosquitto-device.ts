/**
 * A device that is nothing but Debian's mosquitto_pub: one QoS 1 publish over mutual TLS per run,
 * run again with a growing pause until the broker takes it (the first connect of a JITP or JITR
 * device is closed while AWS IoT provisions it).
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MosquittoDevice {
  readonly host: string;
  readonly port: number;
  /** The server trust (PEM file). */
  readonly caFile: string;
  /** The device certificate followed by its CA (PEM file). */
  readonly certChainFile: string;
  readonly keyFile: string;
  readonly clientId: string;
  readonly topic: string;
  readonly message: string;
}

export interface MosquittoRun {
  readonly code: number;
  readonly stderr: string;
}

/** One mosquitto_pub run (code 127 when it is not installed). */
export function mosquittoPub(device: MosquittoDevice): Promise<MosquittoRun> {
  return new Promise((resolve) => {
    const child = spawn('mosquitto_pub', [
      '-h', device.host, '-p', String(device.port), '-V', 'mqttv311', '-q', '1',
      '--cafile', device.caFile, '--cert', device.certChainFile, '--key', device.keyFile,
      '-i', device.clientId, '-t', device.topic, '-m', device.message,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', (error) => resolve({ code: 127, stderr: error.message }));
    child.on('exit', (code) => resolve({ code: code ?? 1, stderr: stderr.trim() }));
  });
}

/** mosquitto_pub until it succeeds, at most `attempts` runs: every run's outcome, the last one first to read. */
export async function mosquittoPubWithRetries(device: MosquittoDevice, attempts: number, baseDelayMs = 300): Promise<MosquittoRun[]> {
  const runs: MosquittoRun[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const run = await mosquittoPub(device);
    runs.push(run);
    if (run.code === 0 || run.code === 127) break;
    await sleep(baseDelayMs * attempt);
  }
  return runs;
}
