import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tls from 'node:tls';
import { cliEnv, ensureCliBundle, openssl, runCli, startCli, type CliResult, type RunningCli } from './support/run-cli';

/**
 * `cdk-iot-security-cli local up` as a process: what it prints, that the CLI's own AWS commands
 * and a TLS client reach what it printed, that Ctrl-C (SIGINT) stops it with exit code 0, and that
 * a bad command line ends it at once with a message naming the option.
 */
const work = mkdtempSync(join(tmpdir(), 'cli-local-up-'));
const home = join(work, 'home');

beforeAll(async () => {
  mkdirSync(home);
  await ensureCliBundle();
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

let dirCount = 0;
function path(name: string): string {
  return join(work, `${String(++dirCount).padStart(2, '0')}-${name}`);
}

function expectExit(run: CliResult, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}\n${run.describe()}`);
}

interface Printed {
  readonly controlPlaneUrl: string;
  readonly mqttPort: number;
  readonly serverCa: string;
  readonly region: string;
}

/** The lines `local up` prints once it serves; fails with its output when it exits first or takes too long. */
async function printed(up: RunningCli, timeoutMs = 60_000): Promise<Printed> {
  const deadline = Date.now() + timeoutMs;
  let exited: CliResult | undefined;
  void up.result.then((result) => { exited = result; });
  for (;;) {
    const text = up.stdout();
    const controlPlane = /^control plane: (\S+)$/m.exec(text);
    const mqtt = /^mqtt: mqtts:\/\/localhost:(\d+)$/m.exec(text);
    const serverCa = /^server CA: (.+)$/m.exec(text);
    const region = /^account: \d{12} {2}region: (\S+) /m.exec(text);
    if (controlPlane && mqtt && serverCa && region) {
      return { controlPlaneUrl: controlPlane[1], mqttPort: Number(mqtt[1]), serverCa: serverCa[1], region: region[1] };
    }
    if (exited) throw new Error(`local up exited before it printed its endpoints\n${exited.describe()}`);
    if (Date.now() > deadline) throw new Error(`local up printed no endpoints within ${timeoutMs} ms\nstdout:\n${up.stdout()}\nstderr:\n${up.stderr()}`);
    await sleep(50);
  }
}

/** Settles with the result, or undefined after `ms`. */
async function within(result: Promise<CliResult>, ms: number): Promise<CliResult | undefined> {
  const timer = new AbortController();
  try {
    return await Promise.race([result, sleep(ms, undefined, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

function tlsHandshake(port: number, caFile: string): Promise<tls.TLSSocket> {
  return new Promise((done, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(caFile) }, () => done(socket));
    socket.once('error', reject);
  });
}

function listen(): Promise<Server> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}

describe('local up', () => {
  test('prints the control-plane URL, the MQTT endpoint and the server CA; the CLI works against them; SIGINT stops it with exit 0', async () => {
    const stateDir = path('state');
    const up = startCli(['local', 'up', '--state-dir', stateDir], { env: cliEnv(home), cwd: work });
    try {
      const { controlPlaneUrl, mqttPort, serverCa, region } = await printed(up);
      expect(controlPlaneUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(serverCa).toBe(join(stateDir, 'tls', 'server-ca.pem'));
      expect(up.stdout().trimEnd().split('\n')).toEqual([
        `control plane: ${controlPlaneUrl}`,
        `mqtt: mqtts://localhost:${mqttPort}`,
        `server CA: ${serverCa}`,
        expect.stringMatching(new RegExp(`^account: \\d{12} {2}region: ${region} {2}\\(AWS_ENDPOINT_URL_IOT=${controlPlaneUrl}\\)$`)),
      ]);
      expect(up.stderr()).toMatch(/^starting the local cloud \(Ctrl-C stops it\)\n/);

      // The server CA: a CA certificate openssl reads, and the one the MQTT port's certificate chains to.
      expect(openssl('x509', '-in', serverCa, '-noout', '-text').stdout).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
      const socket = await tlsHandshake(mqttPort, serverCa);
      expect(socket.authorized).toBe(true);
      socket.destroy();

      // The CLI's AWS commands, pointed at the printed URL as the output says.
      const env = cliEnv(home, { AWS_ENDPOINT_URL_IOT: controlPlaneUrl, AWS_REGION: region, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
      const empty = await runCli(['ca', 'list', '--json'], { env, cwd: work });
      expectExit(empty, 0);
      expect(empty.json()).toEqual({ caCertificates: [] });
      const caDir = path('ca');
      expectExit(await runCli(['ca', 'create', '--out-dir', caDir, '--quiet'], { env, cwd: work }), 0);
      const registered = await runCli(['ca', 'register', '--ca-cert', join(caDir, 'ca.cert.pem'), '--ca-key', join(caDir, 'ca.key.pem'), '--jitr', '--json'],
        { env, cwd: work });
      expectExit(registered, 0);
      const listed = await runCli(['ca', 'list', '--json'], { env, cwd: work });
      expectExit(listed, 0);
      expect(listed.json().caCertificates).toEqual([expect.objectContaining({
        caCertificateId: registered.json().caCertificateId, status: 'ACTIVE', certificateMode: 'DEFAULT', autoRegistrationStatus: 'ENABLE',
      })]);

      up.child.kill('SIGINT');
      const stopped = await within(up.result, 15_000);
      expect(stopped).toBeDefined();
      expect({ code: stopped!.code, signal: stopped!.signal }).toEqual({ code: 0, signal: null });
      expect(stopped!.stderr).not.toMatch(/^error:/m);
      // Nothing listens any more.
      await expect(fetch(`${controlPlaneUrl}/registrationcode`)).rejects.toThrow();
      await expect(tlsHandshake(mqttPort, serverCa)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      up.child.kill('SIGKILL');
    }
  }, 120_000);

  test.each<[string, string[], RegExp]>([
    ['a word for --mqtt-port', ['--mqtt-port', 'abc'], /^error: --mqtt-port: expected a whole number from 0 to 65535, got "abc"$/m],
    ['a port over 65535', ['--control-plane-port', '70000'], /^error: --control-plane-port: .*"70000"$/m],
    ['a negative port', ['--mqtt-port=-1'], /^error: --mqtt-port: .*"-1"$/m],
    ['an empty port', ['--mqtt-port='], /^error: --mqtt-port: must not be empty$/m],
    ['an unknown option', ['--bogus'], /^error: local up: Unknown option '--bogus'/m],
  ])('%s: exit 2 at once with a message naming it; nothing started', async (_what, args, message) => {
    const stateDir = path('bad-state');
    const run = await runCli(['local', 'up', '--state-dir', stateDir, ...args], { env: cliEnv(home), cwd: work, timeoutMs: 30_000 });
    expectExit(run, 2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/unexpected failure|a bug/);
    expect(run.stdout).toBe('');
    expect(existsSync(stateDir)).toBe(false);
  });

  test('a port already taken: exit 1 with a message naming the port and what to do, not "a bug"', async () => {
    const taken = await listen();
    const { port } = taken.address() as { port: number };
    try {
      const run = await runCli(['local', 'up', '--state-dir', path('taken-state'), '--mqtt-port', String(port), '--quiet'],
        { env: cliEnv(home), cwd: work, timeoutMs: 30_000 });
      expectExit(run, 1);
      expect(run.stderr).toMatch(new RegExp(`^error: local up: .*EADDRINUSE.*${port}`, 'm'));
      expect(run.stderr).toMatch(/^ {2}the port is taken/m);
      expect(run.stderr).not.toMatch(/unexpected failure|a bug/);
      expect(run.stdout).toBe('');
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });
});
