import { iotError } from './errors';

/**
 * Default per-account, per-Region rate limits (transactions per second) of the AWS IoT control
 * plane operations this model implements. AWS applies them per operation and answers a call
 * over the limit with ThrottlingException; all of them are adjustable on request.
 *
 * Source, unless marked "chosen": the "AWS IoT Throttling Limits" table of the AWS IoT developer
 * guide (limits-iot, github.com/awsdocs/aws-iot-docs developerguide/limits-iot.md), which agrees
 * with /work/shared/AWS-FACTS.md for every onboarding operation listed there. The current
 * "AWS IoT Core endpoints and quotas" page may list higher values for a few operations (an AWS
 * sample checked in 2025 reports CreateThing and AttachThingPrincipal at 100, DescribeThingType
 * at 100); pass `rateLimits: { CreateThing: 100 }` to model those.
 * "chosen": the table has no row for the operation; 10 TPS, the most common control-plane default.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  AddThingToThingGroup: 60,
  AttachPolicy: 15,
  AttachThingPrincipal: 15,
  CreateCertificateFromCsr: 15,
  CreateKeysAndCertificate: 10, // chosen
  CreatePolicy: 10,
  CreateProvisioningClaim: 10, // chosen
  CreateProvisioningTemplate: 10, // chosen
  CreateThing: 15,
  CreateThingGroup: 25,
  CreateThingType: 15,
  DeleteCACertificate: 10,
  DeleteCertificate: 10,
  DeletePolicy: 10,
  DeleteProvisioningTemplate: 10, // chosen
  DeleteThing: 15,
  DescribeCACertificate: 10,
  DescribeCertificate: 10,
  DescribeEndpoint: 10, // chosen
  DescribeEventConfigurations: 10, // chosen
  DescribeProvisioningTemplate: 10, // chosen
  DescribeThing: 350,
  DescribeThingGroup: 100,
  DescribeThingType: 10,
  DetachPolicy: 15,
  DetachThingPrincipal: 15,
  GetPolicy: 10,
  GetRegistrationCode: 10,
  ListAttachedPolicies: 15,
  ListCACertificates: 10,
  ListCertificates: 10,
  ListCertificatesByCA: 10,
  ListPrincipalThings: 10,
  ListProvisioningTemplates: 10, // chosen
  ListTagsForResource: 10,
  ListThingPrincipals: 10,
  ListThings: 10,
  RegisterCACertificate: 10,
  RegisterCertificate: 10,
  RegisterCertificateWithoutCA: 10, // chosen (the 2025 sample lists 10 as well)
  RegisterThing: 10,
  TagResource: 10,
  UntagResource: 10,
  UpdateCACertificate: 10,
  UpdateCertificate: 10,
  UpdateEventConfigurations: 10, // chosen
  UpdateThing: 15, // chosen: as CreateThing and DeleteThing
});

/** For operations missing from the table. */
const FALLBACK_RATE = 10;

/**
 * One token bucket per operation: it holds up to one second's worth of calls (the TPS) and
 * refills continuously at the TPS, so a burst of `tps` calls passes and the next waits for a token.
 */
export class RateLimiter {
  private readonly rates: Readonly<Record<string, number>>;
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();
  private readonly refusals = new Map<string, number>();
  private readonly admissions = new Map<string, number>();
  /** False when the model runs without rate limits. */
  readonly enabled: boolean;

  /**
   * @param setting `true` for AWS's defaults, `false` for no limits, or per-operation TPS that
   *   replace the defaults for those operations (`Infinity` lifts one limit).
   */
  constructor(setting: boolean | Partial<Record<string, number>>, private readonly now: () => number) {
    if (setting === false) {
      this.rates = {};
      this.enabled = false;
    } else {
      const overrides: Record<string, number> = {};
      for (const [operation, tps] of Object.entries(setting === true ? {} : setting)) {
        if (tps === undefined) continue;
        if (typeof tps !== 'number' || Number.isNaN(tps) || tps <= 0) {
          throw new Error(`rateLimits.${operation} must be a positive number of transactions per second, got ${String(tps)}`);
        }
        overrides[operation] = tps;
      }
      this.rates = { ...DEFAULT_RATE_LIMITS, ...overrides };
      this.enabled = true;
    }
  }

  /** How many calls of each operation were refused with ThrottlingException so far. */
  throttledCalls(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.refusals);
  }

  /** How many calls of each operation were let through so far (with or without limits). */
  admittedCalls(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.admissions);
  }

  /** The TPS limit of an operation, or undefined when limits are off. */
  rateOf(operation: string): number | undefined {
    return this.enabled ? this.rates[operation] ?? FALLBACK_RATE : undefined;
  }

  /** Takes a token for one call of `operation`, or throws ThrottlingException ("Rate exceeded"). */
  take(operation: string): void {
    const rate = this.rateOf(operation);
    if (rate === undefined || rate === Infinity) {
      this.admit(operation);
      return;
    }
    const now = this.now();
    const bucket = this.buckets.get(operation) ?? { tokens: rate, updatedAt: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(operation, bucket);
    if (bucket.tokens < 1) {
      this.refusals.set(operation, (this.refusals.get(operation) ?? 0) + 1);
      throw iotError('ThrottlingException', 'Rate exceeded');
    }
    bucket.tokens -= 1;
    this.admit(operation);
  }

  private admit(operation: string): void {
    this.admissions.set(operation, (this.admissions.get(operation) ?? 0) + 1);
  }
}
