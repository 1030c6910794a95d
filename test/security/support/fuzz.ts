/**
 * What the fuzz tests share: the seed and run count (fixed by default, so a failure replays; set
 * FUZZ_SEED and FUZZ_RUNS to explore further), DER-aware mutations of valid samples (bit flips,
 * truncation, length-field corruption, insertions, splices), and a guard that times each call.
 */
import fc from 'fast-check';

/** The seed every property starts from: `FUZZ_SEED=<n>` replays or explores another sequence. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20260610);
/** Runs per property: `FUZZ_RUNS=<n>` for a longer campaign (the default keeps the suite well under a minute). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);
/** One parse of one input taking longer than this is a hang (the slowest valid call, an RSA-4096 check, takes a few ms). */
export const HANG_MS = 2_000;

export const fuzzOptions = (runs = FUZZ_RUNS): fc.Parameters<unknown> => ({ seed: FUZZ_SEED, numRuns: runs, endOnFailure: true });

/** Runs `call`, returning what it threw (undefined when it returned); fails when it took longer than HANG_MS. */
export async function outcomeOf(call: () => unknown, describeInput: () => string): Promise<unknown> {
  const started = performance.now();
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  const elapsed = performance.now() - started;
  if (elapsed > HANG_MS) throw new Error(`took ${elapsed.toFixed(0)} ms (a hang) on ${describeInput()}`);
  return thrown;
}

/** A byte with one bit flipped, without bitwise operators. */
function flipBit(byte: number, bit: number): number {
  const weight = 2 ** bit;
  return Math.floor(byte / weight) % 2 === 1 ? byte - weight : byte + weight;
}

/** Offsets of every DER element header in `der` (constructed elements are walked into; primitive contents are not). */
export function elementHeaders(der: Uint8Array): number[] {
  const headers: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    let offset = start;
    while (offset + 2 <= end && depth < 32) {
      const tag = der[offset];
      let length = der[offset + 1];
      let contentStart = offset + 2;
      if (length >= 0x80) {
        const count = length - 0x80;
        if (count === 0 || count > 4 || contentStart + count > end) return;
        length = 0;
        for (let i = 0; i < count; i++) length = length * 256 + der[contentStart + i];
        contentStart += count;
      }
      if (contentStart + length > end) return;
      headers.push(offset);
      // Constructed (bit 6 of the tag): SEQUENCE, SET, context-specific [n] wrappers.
      if (Math.floor(tag / 0x20) % 2 === 1) walk(contentStart, contentStart + length, depth + 1);
      offset = contentStart + length;
    }
  };
  walk(0, der.length, 0);
  return headers;
}

/** The length octets of the element whose header starts at `offset`: [start, end) of them. */
function lengthOctets(der: Uint8Array, offset: number): [number, number] {
  const first = der[offset + 1];
  return first >= 0x80 ? [offset + 1, offset + 2 + (first - 0x80)] : [offset + 1, offset + 2];
}

/** Length encodings a parser must survive: wrong short forms, long forms up to 2^32 - 1, indefinite, too many octets. */
const corruptLength = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }).map((length) => [length]),
  fc.integer({ min: 1, max: 4 }).chain((count) => fc.array(fc.integer({ min: 0, max: 255 }), { minLength: count, maxLength: count })
    .map((octets) => [0x80 + count, ...octets])),
  fc.constantFrom([0x80], [0x84, 0xff, 0xff, 0xff, 0xff], [0x84, 0x7f, 0xff, 0xff, 0xff], [0x88, 1, 0, 0, 0, 0, 0, 0, 0], [0x81, 0x00], [0xff]),
);

export type Mutation =
  | { readonly kind: 'flip'; readonly flips: ReadonlyArray<{ readonly index: number; readonly bit: number }> }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'length'; readonly element: number; readonly length: readonly number[] }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'splice'; readonly at: number; readonly from: number; readonly count: number };

/** Mutations of a DER sample, shrinkable, printable in a failure report. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.record({ index: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('length' as const), element: fc.nat(), length: corruptLength }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), count: fc.integer({ min: 1, max: 256 }) }) },
);

/** Applies a mutation to a copy of `der`. */
export function mutate(der: Uint8Array, change: Mutation): Uint8Array {
  const bytes = Uint8Array.from(der);
  switch (change.kind) {
    case 'flip':
      for (const { index, bit } of change.flips) bytes[index % bytes.length] = flipBit(bytes[index % bytes.length], bit);
      return bytes;
    case 'truncate':
      return bytes.slice(0, change.at % bytes.length);
    case 'length': {
      const headers = elementHeaders(bytes);
      if (headers.length === 0) return bytes;
      const [start, end] = lengthOctets(bytes, headers[change.element % headers.length]);
      return Uint8Array.from([...bytes.slice(0, start), ...change.length, ...bytes.slice(end)]);
    }
    case 'insert': {
      const at = change.at % (bytes.length + 1);
      return Uint8Array.from([...bytes.slice(0, at), ...change.bytes, ...bytes.slice(at)]);
    }
    case 'delete': {
      const at = change.at % bytes.length;
      return Uint8Array.from([...bytes.slice(0, at), ...bytes.slice(at + change.count)]);
    }
    case 'splice': {
      // A run of the sample's own bytes copied over another place: plausible DER in the wrong spot.
      const at = change.at % bytes.length;
      const from = change.from % bytes.length;
      const run = bytes.slice(from, from + change.count);
      bytes.set(run.slice(0, bytes.length - at), at);
      return bytes;
    }
  }
}

export const hex = (bytes: Uint8Array, max = 96): string => {
  const text = Buffer.from(bytes).toString('hex');
  return text.length > max ? `${text.slice(0, max)}... (${bytes.length} bytes)` : text;
};
