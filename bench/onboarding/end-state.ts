/**
 * The registry after a burst, judged device by device: every device's certificate ACTIVE, attached to
 * exactly one thing (its own name) that holds no other certificate, with one device policy attached;
 * and nothing beyond them (no extra certificate under the factory CA, no extra thing).
 */
import type { BenchDevice } from './devices';
import { decodeRegistryState, type RegistrySnapshot } from '../../local/iot';

export interface EndState {
  readonly devices: number;
  /** Certificate ACTIVE, one thing of its name holding it alone, one policy attached. */
  readonly activeWithOneThing: number;
  /** No certificate in the registry at all (its connects never registered it). */
  readonly lost: number;
  /** Devices whose certificate is not ACTIVE (PENDING_ACTIVATION, REVOKED...). */
  readonly notActive: number;
  /** Certificates under the factory CA that are not one of the devices', plus things that are not a device's. */
  readonly extraCertificates: number;
  readonly extraThings: number;
  /** Devices whose certificate has more than one thing or policy, or whose thing has other principals. */
  readonly duplicated: number;
  /** What went wrong, a few examples. */
  readonly problems: readonly string[];
}

export function judgeEndState(snapshot: RegistrySnapshot, devices: readonly BenchDevice[], caCertificateId: string): EndState {
  const state = decodeRegistryState(snapshot.state);
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < 10) problems.push(problem);
  };
  const thingsOf = new Map<string, string[]>();
  for (const [thingName, principals] of state.thingPrincipals) {
    for (const principal of principals.keys()) thingsOf.set(principal, [...(thingsOf.get(principal) ?? []), thingName]);
  }
  let activeWithOneThing = 0;
  let lost = 0;
  let notActive = 0;
  let duplicated = 0;
  for (const device of devices) {
    const certificate = state.certificates.get(device.certificateId);
    if (!certificate) {
      lost += 1;
      note(`${device.name}: its certificate was never registered`);
      continue;
    }
    if (certificate.status !== 'ACTIVE') {
      notActive += 1;
      note(`${device.name}: certificate ${certificate.status}`);
      continue;
    }
    const things = thingsOf.get(certificate.certificateArn) ?? [];
    const principals = [...(state.thingPrincipals.get(device.name)?.keys() ?? [])];
    const policies = state.policyTargets.get(certificate.certificateArn) ?? [];
    if (things.length === 1 && things[0] === device.name && principals.length === 1 && policies.length === 1 && state.things.has(device.name)) {
      activeWithOneThing += 1;
    } else {
      duplicated += 1;
      note(`${device.name}: things ${JSON.stringify(things)}, its thing's principals ${principals.length}, policies ${JSON.stringify(policies)}`);
    }
  }
  const deviceCertificates = new Set(devices.map((device) => device.certificateId));
  const deviceNames = new Set(devices.map((device) => device.name));
  const extraCertificates = [...state.certificates.values()]
    .filter((certificate) => certificate.caCertificateId === caCertificateId && !deviceCertificates.has(certificate.certificateId)).length;
  const extraThings = [...state.things.keys()].filter((name) => !deviceNames.has(name)).length;
  if (extraCertificates > 0) note(`${extraCertificates} certificates under the factory CA belong to no device`);
  if (extraThings > 0) note(`${extraThings} things belong to no device`);
  return { devices: devices.length, activeWithOneThing, lost, notActive, extraCertificates, extraThings, duplicated, problems };
}

/** True when every device is onboarded exactly once and nothing else was made. */
export function isExact(endState: EndState): boolean {
  return endState.activeWithOneThing === endState.devices && endState.extraCertificates === 0 && endState.extraThings === 0;
}
