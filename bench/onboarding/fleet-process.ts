/**
 * The device fleet of the onboarding benchmark, in a process of its own (forked by fleet.ts): the devices'
 * TLS handshakes and MQTT clients load this process's event loop, not the one the local cloud answers on,
 * as a real fleet would. It is told the devices and where to connect, boots them (their TLS contexts), says
 * so, connects them all at once when told, reports each device accepted, and answers every device's outcome
 * at the end (or when told to give up).
 */
import { setMaxListeners } from 'node:events';
import { bootDevice, onboardDevice, type BootedDevice, type DeviceOutcome } from './devices';
import type { FleetMessage, FleetOrder } from './fleet';

const abort = new AbortController();
let booted: { readonly devices: readonly BootedDevice[]; readonly order: Extract<FleetOrder, { type: 'boot' }> } | undefined;
let started = false;

function send(message: FleetMessage, then?: () => void): void {
  process.send!(message, undefined, undefined, () => then?.());
}

function connectAll(): void {
  if (!booted || started) return;
  started = true;
  const { devices, order } = booted;
  setMaxListeners(devices.length + 10, abort.signal); // every waiting device listens to it
  const target = { host: order.host, port: () => order.port, rootCaPem: order.rootCaPem };
  void Promise.all(devices.map((device) => onboardDevice(device, target, {
    baseDelayMs: order.baseDelayMs,
    signal: abort.signal,
    onAccepted: (outcome) => send({ type: 'accepted', outcome }),
  }))).then((outcomes: DeviceOutcome[]) => {
    // Every connection is closed by now; leave once the answer is out.
    send({ type: 'done', outcomes }, () => process.exit(0));
  });
}

process.on('message', (order: FleetOrder) => {
  if (order.type === 'give-up') {
    abort.abort();
  } else if (order.type === 'connect') {
    connectAll();
  } else if (!booted) {
    booted = { devices: order.devices.map((device) => bootDevice(device, order.rootCaPem)), order };
    send({ type: 'booted' });
  }
});
