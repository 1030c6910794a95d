import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tls from 'node:tls';
import { GetRegistrationCodeCommand, IoTClient } from '@aws-sdk/client-iot';
import { signedRequest } from '../../cli/src/aws/signed-request';
import { startLocalCloud } from '../../local/local-cloud';
import { synthesizeJitrDemo } from '../demo/support/jitr-demo-assembly';

/**
 * `npm run local` (`ts-node --project tsconfig.dev.json local/cli.ts`) as a user runs it: what it
 * prints, that the SDK and a TLS client reach what it printed, that Ctrl-C stops it cleanly, and
 * that bad arguments end it at once with exit code 2 and one line saying why.
 */
const ROOT = resolve(__dirname, '../..');
const TS_NODE = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
const stateDirs: string[] = [];
afterAll(() => stateDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-cli-'));
  stateDirs.push(dir);
  return dir;
}

interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

/**
 * Starts local/cli.ts under ts-node, as `npm run local` does. `typeCheck: false` skips ts-node's
 * type check (tsc covers it) for the runs that only test argument handling, to keep the suite short.
 */
function startCli(args: string[], options: { typeCheck?: boolean } = {}): Cli {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.AWS_ENDPOINT_URL_IOT;
  if (options.typeCheck === false) env.TS_NODE_TRANSPILE_ONLY = 'true';
  const child = spawn(process.execPath, [TS_NODE, '--project', 'tsconfig.dev.json', 'local/cli.ts', ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.on('exit', (code, signal) => done({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The promise's value, or undefined if it has not settled within `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, undefined, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

interface Printed {
  readonly controlPlaneUrl: string;
  readonly mqttPort: number;
  readonly serverCaPath: string;
}

/** Waits for the three lines the CLI prints once it serves; fails with its output if it exits first. */
async function printed(cli: Cli, timeoutMs = 60_000): Promise<Printed> {
  const started = Date.now();
  for (;;) {
    const lines = cli.stdout().split('\n');
    const controlPlane = lines.map((line) => /^control plane: (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)).find(Boolean);
    const mqtt = lines.map((line) => /^mqtt: mqtts:\/\/localhost:(\d+)$/.exec(line)).find(Boolean);
    const serverCa = lines.map((line) => /^server CA: (.+)$/.exec(line)).find(Boolean);
    if (controlPlane && mqtt && serverCa) return { controlPlaneUrl: controlPlane[1], mqttPort: Number(mqtt[1]), serverCaPath: serverCa[1] };
    const exit = await within(cli.exited, 100);
    if (exit) throw new Error(`the CLI exited (${JSON.stringify(exit)}) before it printed its endpoints:\n${cli.stdout()}\n${cli.stderr()}`);
    if (Date.now() - started > timeoutMs) throw new Error(`no endpoints printed within ${timeoutMs} ms:\n${cli.stdout()}\n${cli.stderr()}`);
  }
}

/** SIGINT, then the exit code, or 'timeout' if it did not exit within `ms`. */
async function interrupt(cli: Cli, ms = 5000): Promise<number | null | 'timeout'> {
  cli.child.kill('SIGINT');
  const exit = await within(cli.exited, ms);
  if (!exit) {
    cli.child.kill('SIGKILL');
    return 'timeout';
  }
  return exit.code;
}

/** A TLS connection to the printed MQTT port, trusting the printed server CA, for `localhost`. */
function tlsHandshake(port: number, caPath: string): Promise<tls.TLSSocket> {
  return new Promise((done, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(caPath) }, () => done(socket));
    socket.once('error', reject);
  });
}

/** Ports free right now (listened on, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listen(0)));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

function listen(port: number): Promise<Server> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => done(server));
  });
}

describe('npm run local', () => {
  test('prints its endpoints, serves the SDK and TLS at them, and stops on SIGINT with exit code 0', async () => {
    const cli = startCli(['--state-dir', stateDir(), '--quiet']);
    try {
      const { controlPlaneUrl, mqttPort, serverCaPath } = await printed(cli);

      const pem = readFileSync(serverCaPath, 'utf8');
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/);
      expect(new X509Certificate(pem).ca).toBe(true);

      // The SDK configured the way the CLI tells users to: AWS_ENDPOINT_URL_IOT, for this client only.
      const saved = process.env.AWS_ENDPOINT_URL_IOT;
      process.env.AWS_ENDPOINT_URL_IOT = controlPlaneUrl;
      const iot = new IoTClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
        expect(registrationCode).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        iot.destroy();
        if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IOT;
        else process.env.AWS_ENDPOINT_URL_IOT = saved;
      }

      const socket = await tlsHandshake(mqttPort, serverCaPath);
      expect(socket.authorized).toBe(true);
      const closedByServer = new Promise<void>((done) => socket.once('close', () => done()));
      socket.on('error', () => undefined);

      // The connection is left open (no CONNECT): Ctrl-C must not wait for it.
      expect(await interrupt(cli)).toBe(0);
      await closedByServer;
      expect(cli.stderr()).toBe('');
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 90_000);

  test('--control-plane-port and --mqtt-port fix the ports', async () => {
    const [controlPlanePort, mqttPort] = await freePorts(2);
    const cli = startCli(['--state-dir', stateDir(), '--quiet', '--control-plane-port', String(controlPlanePort), '--mqtt-port', String(mqttPort)], { typeCheck: false });
    try {
      const endpoints = await printed(cli);
      expect(endpoints.controlPlaneUrl).toBe(`http://127.0.0.1:${controlPlanePort}`);
      expect(endpoints.mqttPort).toBe(mqttPort);
      const response = await fetch(`${endpoints.controlPlaneUrl}/registrationcode`);
      expect(response.status).toBe(200);
      (await tlsHandshake(mqttPort, endpoints.serverCaPath)).destroy();
      expect(await interrupt(cli)).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 60_000);

  test.each<[string, string[], RegExp]>([
    ['a word', ['--mqtt-port', 'abc'], /^local cloud: --mqtt-port must be a port number .*"abc"/],
    ['a port over 65535', ['--control-plane-port', '70000'], /^local cloud: --control-plane-port must be a port number .*"70000"/],
    ['an empty value', ['--mqtt-port', ''], /^local cloud: --mqtt-port must be a port number .*""/],
    ['an exponent', ['--mqtt-port', '1e3'], /^local cloud: --mqtt-port must be a port number .*"1e3"/],
    ['a negative number', ['--mqtt-port=-1'], /^local cloud: --mqtt-port must be a port number .*"-1"/],
    ['an unknown option', ['--bogus'], /^local cloud: Unknown option '--bogus'/],
  ])('a bad argument (%s): exit code 2 and one line on stderr, nothing served', async (_what, args, message) => {
    const cli = startCli(['--state-dir', stateDir(), ...args], { typeCheck: false });
    const exit = await within(cli.exited, 30_000);
    cli.child.kill('SIGKILL');
    expect(exit).toEqual({ code: 2, signal: null });
    expect(cli.stderr().trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(cli.stdout()).toBe('');
  }, 40_000);

  test('a port already taken: exit code 2 and one line naming it', async () => {
    const taken = await listen(0);
    const port = (taken.address() as { port: number }).port;
    try {
      const cli = startCli(['--state-dir', stateDir(), '--quiet', '--mqtt-port', String(port)], { typeCheck: false });
      const exit = await within(cli.exited, 30_000);
      cli.child.kill('SIGKILL');
      expect(exit).toEqual({ code: 2, signal: null });
      expect(cli.stderr().trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^local cloud: .*EADDRINUSE.*${port}`))]);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  }, 40_000);
});

describe('npm run local -- --cloud-assembly', () => {
  test('runs the synthesized stack and prints its outputs with their local URLs and the credentials its IAM accepts', async () => {
    const cdkOut = synthesizeJitrDemo();
    stateDirs.push(cdkOut);
    const cli = startCli(['--state-dir', stateDir(), '--quiet', '--cloud-assembly', cdkOut], { typeCheck: false });
    try {
      await printed(cli);
      const lines = cli.stdout().split('\n');
      const caRegister = lines.map((line) => /^ {2}output CaRegisterUrl: https:\/\/\w+\.execute-api\.[^ ]+ -> (http:\/\/127\.0\.0\.1:\d+\/prod\/caRegister)$/.exec(line))
        .find(Boolean)?.[1];
      const credentials = lines.map((line) => /export AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) AWS_REGION=(\S+)/.exec(line)).find(Boolean);
      expect(caRegister).toBeDefined();
      expect(credentials).toBeDefined();
      expect(lines).toContainEqual(expect.stringMatching(/^not run locally: JitrDemo\/JitrActivatorBufferDeadLetterAlarm\w+: AWS::CloudWatch::Alarm/));

      const body = JSON.stringify({ csrSubjects: { commonName: 'CLI CA' } });
      const unsigned = await signedRequest(caRegister!, { method: 'POST', body, region: credentials![3] });
      expect(unsigned.status).toBe(403);
      const signed = await signedRequest(caRegister!, {
        method: 'POST', body, region: credentials![3], credentials: { accessKeyId: credentials![1], secretAccessKey: credentials![2] },
      });
      expect(signed.status).toBe(200);
      expect(signed.json.caCertificateId).toMatch(/^[0-9a-f]{64}$/);
      expect(await interrupt(cli, 15_000)).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('startLocalCloud', () => {
  test('when the MQTT port is taken it rejects and leaves nothing listening', async () => {
    const taken = await listen(0);
    const mqttPort = (taken.address() as { port: number }).port;
    const [controlPlanePort] = await freePorts(1);
    try {
      await expect(startLocalCloud({ stateDirectory: stateDir(), controlPlanePort, mqttPort })).rejects.toThrow(/EADDRINUSE/);
      // The control plane it had started is closed again: its port can be taken.
      const again = await listen(controlPlanePort);
      await new Promise((done) => again.close(done));
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });
});
