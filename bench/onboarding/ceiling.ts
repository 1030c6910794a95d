/**
 * The most devices a second JITR can activate under the control plane's rate limits: each rate-limited
 * call the activator makes per device (lambda-assets/device-activator/activate-device.ts and
 * thing-binding.ts) allows `TPS / calls per device` devices a second, and the scarcest one sets the pace.
 * DescribeCACertificate and ListTagsForResource are made once per activator instance and CA (cached), so
 * they do not count per device; the verifier is a Lambda invocation, not an IoT call.
 */
export const ACTIVATOR_CALLS_PER_DEVICE: Readonly<Record<string, number>> = Object.freeze({
  DescribeCertificate: 1,
  CreateThing: 1,
  ListThingPrincipals: 1,
  AttachPolicy: 1,
  AttachThingPrincipal: 1,
  UpdateCertificate: 1,
});

export interface Ceiling {
  readonly devicesPerSecond: number;
  /** The operations that set it (the scarcest). */
  readonly limitedBy: readonly string[];
  /** Each operation's own ceiling, devices per second. */
  readonly perOperation: Readonly<Record<string, number>>;
}

/** @param rateOf the TPS an operation runs under (undefined: unlimited) */
export function activationCeiling(rateOf: (operation: string) => number | undefined): Ceiling {
  const perOperation: Record<string, number> = {};
  for (const [operation, calls] of Object.entries(ACTIVATOR_CALLS_PER_DEVICE)) {
    perOperation[operation] = (rateOf(operation) ?? Infinity) / calls;
  }
  const devicesPerSecond = Math.min(...Object.values(perOperation));
  const limitedBy = Object.keys(perOperation).filter((operation) => perOperation[operation] === devicesPerSecond);
  return { devicesPerSecond, limitedBy, perOperation };
}
