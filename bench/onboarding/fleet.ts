/** Runs the benchmark's devices in a process of their own (fleet-process.ts) and follows them. */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { BenchDevice, DeviceOutcome } from './devices';

/** What the fleet is told: boot the devices, then connect them all at once (or stop retrying). */
export type FleetOrder =
  | {
    readonly type: 'boot';
    readonly devices: readonly BenchDevice[];
    readonly host: string;
    readonly port: number;
    readonly rootCaPem: string;
    readonly baseDelayMs: number;
  }
  | { readonly type: 'connect' }
  | { readonly type: 'give-up' };

/** What the fleet tells. */
export type FleetMessage =
  | { readonly type: 'booted' }
  | { readonly type: 'accepted'; readonly outcome: DeviceOutcome }
  | { readonly type: 'done'; readonly outcomes: readonly DeviceOutcome[] };

export interface RunningFleet {
  /** Every device's outcome, once all are accepted or have given up. */
  readonly outcomes: Promise<readonly DeviceOutcome[]>;
  /** Devices accepted so far. */
  accepted(): number;
  /** When the last device was accepted (epoch ms), or undefined. */
  lastAcceptedAt(): number | undefined;
  /** Devices still waiting stop retrying. */
  giveUp(): void;
}

/** A fleet whose devices are booted and not yet connecting. */
export interface BootedFleet {
  /** Every device connects at once from now on. */
  connect(): RunningFleet;
}

/**
 * Forks the fleet (ts-node without type checking, as the benchmark's scenario processes run) and
 * has it boot every device; resolves once they are ready, so the burst's clock starts with their
 * first connects, not with the fleet's process start.
 */
export async function bootFleet(order: Omit<Extract<FleetOrder, { type: 'boot' }>, 'type'>): Promise<BootedFleet> {
  const child = fork(join(__dirname, 'fleet-process.ts'), [], {
    execArgv: ['--require', 'ts-node/register/transpile-only'],
    env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.dev.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let accepted = 0;
  let lastAcceptedAt: number | undefined;
  let booted: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { booted = resolve; });
  const outcomes = new Promise<readonly DeviceOutcome[]>((resolve, reject) => {
    let done: readonly DeviceOutcome[] | undefined;
    child.on('message', (message: FleetMessage) => {
      if (message.type === 'booted') {
        booted();
      } else if (message.type === 'accepted') {
        accepted += 1;
        lastAcceptedAt = Date.now();
      } else {
        done = message.outcomes;
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => (done ? resolve(done) : reject(new Error(`the device fleet's process exited with ${code} before it was done`))));
  });
  child.send({ type: 'boot', ...order } satisfies FleetOrder);
  // A fleet that dies while booting must not leave the caller waiting.
  await Promise.race([ready, outcomes.then(() => { throw new Error('the device fleet ended before its devices were booted'); })]);
  return {
    connect: () => {
      child.send({ type: 'connect' } satisfies FleetOrder);
      return {
        accepted: () => accepted,
        lastAcceptedAt: () => lastAcceptedAt,
        outcomes,
        giveUp: () => {
          if (child.connected) child.send({ type: 'give-up' } satisfies FleetOrder);
        },
      };
    },
  };
}
