import { pkiError } from './errors';

/**
 * notBefore is backdated by this much so a device (or AWS IoT) whose clock runs a little
 * behind ours does not reject a certificate issued seconds ago as "not yet valid".
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;

/** A century: enough for any CA; beyond it the number is almost certainly a unit mistake. */
export const MAX_VALIDITY_DAYS = 36_500;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ValidityWindow {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** notBefore = now minus the skew allowance, notAfter = now plus validityDays. */
export function validityWindow(validityDays: unknown, now: Date = new Date()): ValidityWindow {
  if (typeof validityDays !== 'number' || !Number.isFinite(validityDays) || validityDays <= 0 || validityDays > MAX_VALIDITY_DAYS) {
    throw pkiError('BAD_VALIDITY', `validityDays must be a number greater than 0 and at most ${MAX_VALIDITY_DAYS}; got ${JSON.stringify(validityDays)}`);
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw pkiError('BAD_VALIDITY', 'now must be a valid Date');
  }
  return {
    notBefore: new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
    notAfter: new Date(now.getTime() + validityDays * DAY_MS),
  };
}
