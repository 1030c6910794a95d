import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A real mosquitto broker on a free loopback port: plain TCP, anonymous clients allowed. */
export class Mosquitto {
  /** Starts mosquitto with its own config file in `dir`; fails clearly when it is not installed. */
  static async start(dir: string): Promise<Mosquitto> {
    if (spawnSync('mosquitto', ['-h']).error) {
      throw new Error('mosquitto is not installed (or not on PATH): these tests need the apt package mosquitto (apt-get install -y mosquitto)');
    }
    const port = await freePort();
    const configFile = join(dir, `mosquitto-${port}.conf`);
    writeFileSync(configFile, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ''].join('\n'));
    const child = spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    const broker = new Mosquitto(child, port, () => log);
    await broker.waitUntilListening();
    return broker;
  }

  private constructor(private readonly child: ChildProcess, readonly port: number, readonly log: () => string) {}

  /** Stops the broker this instance started. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async waitUntilListening(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (this.child.exitCode !== null) throw new Error(`mosquitto exited with code ${this.child.exitCode}: ${this.log()}`);
      if (await canConnect(this.port)) return;
      await sleep(50);
    }
    await this.stop();
    throw new Error(`mosquitto did not listen on 127.0.0.1:${this.port} within 5 s: ${this.log()}`);
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
