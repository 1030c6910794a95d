/** Runs the benchmark's devices in a process of their own (fleet-process.ts) and follows them. */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { BenchDevice, DeviceOutcome } from './devices';

/** What the fleet is told. */
export type FleetOrder =
  | {
    readonly type: 'connect';
    readonly devices: readonly BenchDevice[];
    readonly host: string;
    readonly port: number;
    readonly rootCaPem: string;
    readonly baseDelayMs: number;
  }
  | { readonly type: 'give-up' };

/** What the fleet tells. */
export type FleetMessage =
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

/**
 * Forks the fleet (ts-node without type checking, as the benchmark's scenario processes run) and
 * orders it to connect every device at once.
 */
export function startFleet(order: Omit<Extract<FleetOrder, { type: 'connect' }>, 'type'>): RunningFleet {
  const child = fork(join(__dirname, 'fleet-process.ts'), [], {
    execArgv: ['--require', 'ts-node/register/transpile-only'],
    env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.dev.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let accepted = 0;
  let lastAcceptedAt: number | undefined;
  const outcomes = new Promise<readonly DeviceOutcome[]>((resolve, reject) => {
    let done: readonly DeviceOutcome[] | undefined;
    child.on('message', (message: FleetMessage) => {
      if (message.type === 'accepted') {
        accepted += 1;
        lastAcceptedAt = Date.now();
      } else {
        done = message.outcomes;
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => (done ? resolve(done) : reject(new Error(`the device fleet's process exited with ${code} before it was done`))));
  });
  child.send({ type: 'connect', ...order } satisfies FleetOrder);
  return {
    accepted: () => accepted,
    lastAcceptedAt: () => lastAcceptedAt,
    outcomes,
    giveUp: () => {
      if (child.connected) child.send({ type: 'give-up' } satisfies FleetOrder);
    },
  };
}
