import { emptyRegistryState, type RegistryState } from './records';

/**
 * The registry as JSON, so a local cloud started again on the same state directory finds the
 * CAs, certificates, things, policies, attachments and tags it had (AWS IoT does not forget a
 * registry when a connection drops, and the benchmark restarts the cloud mid-burst to prove the
 * onboarding flow survives it). Also kept: the account's registration code (verification
 * certificates made for it stay valid) and its event configurations.
 *
 * Not kept: provisioning ownership tokens (valid one hour, for one RegisterThing: a device asks
 * again) and the key of the local stand-in for Amazon's issuing CA (certificates it issued stay
 * registered and usable; new ones come from a new key).
 */
export interface RegistrySnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly accountId: string;
  readonly region: string;
  readonly registrationCode: string;
  /** Event type -> enabled. */
  readonly eventConfigurations: Readonly<Record<string, boolean>>;
  /** {@link RegistryState} with Maps, Sets and Dates tagged (see {@link encodeRegistryState}). */
  readonly state: unknown;
}

export const SNAPSHOT_FORMAT = 'cdk-iot-security/local-iot-registry@1';

/**
 * A JSON-able form of the registry state: Maps become `{"$map": [[key, value], ...]}`, Sets
 * `{"$set": [...]}` and Dates `{"$date": <epoch ms>}`; plain objects, arrays, strings, numbers and
 * booleans stay as they are. Records never hold a key starting with `$`, so the tags are unambiguous.
 */
export function encodeRegistryState(state: RegistryState): unknown {
  return encode(state);
}

/** The registry state {@link encodeRegistryState} wrote; throws when it is not one. */
export function decodeRegistryState(encoded: unknown): RegistryState {
  const decoded = decode(encoded);
  const empty = emptyRegistryState();
  if (typeof decoded !== 'object' || decoded === null) throw new Error('the registry snapshot holds no state');
  const state = decoded as Record<string, unknown>;
  for (const [key, value] of Object.entries(empty)) {
    if (!(key in state)) throw new Error(`the registry snapshot lacks ${key}`);
    if (!(state[key] instanceof Map) || !(value instanceof Map)) throw new Error(`the registry snapshot's ${key} is not a map`);
  }
  return state as unknown as RegistryState;
}

function encode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { $date: value.getTime() };
  if (value instanceof Map) return { $map: [...value].map(([key, entry]) => [key, encode(entry)]) };
  if (value instanceof Set) return { $set: [...value].map(encode) };
  if (Array.isArray(value)) return value.map(encode);
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) result[key] = encode(entry);
  }
  return result;
}

function decode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if ('$date' in record) return new Date(Number(record.$date));
  if ('$map' in record) return new Map((record.$map as [unknown, unknown][]).map(([key, entry]) => [key, decode(entry)]));
  if ('$set' in record) return new Set((record.$set as unknown[]).map(decode));
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(record)) result[key] = decode(entry);
  return result;
}
