import { DEFAULT_REMINDER_GRACE_MS, isEarlyReminder, parseRegisteredEvent } from '../../../lambda-assets/device-activator/registered-event';
import { SettledCertificates } from '../../../lambda-assets/device-activator/settled-certificates';

const ID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const CA = 'c'.repeat(64);

function event(certificateId: string, certificateRegistrationTimestamp?: number) {
  return { certificateId, caCertificateId: CA, certificateRegistrationTimestamp };
}

describe('SettledCertificates: the registrations an activator instance settled', () => {
  test('a settled registration is known; its certificate registered anew (a new registration timestamp) is not', () => {
    const settled = new SettledCertificates();
    settled.remember(event(ID, 1000));

    expect(settled.has(event(ID, 1000))).toBe(true);
    expect(settled.has(event(ID, 2000))).toBe(false);
    expect(settled.has(event(OTHER, 1000))).toBe(false);
  });

  test('events without a registration timestamp are known by the certificate alone', () => {
    const settled = new SettledCertificates();
    settled.remember(event(ID));

    expect(settled.has(event(ID))).toBe(true);
    expect(settled.has(event(ID, 1000))).toBe(false);
  });

  test('entries expire after the TTL', () => {
    let now = 0;
    const settled = new SettledCertificates({ ttlMs: 1000, now: () => now });
    settled.remember(event(ID, 1));

    now = 999;
    expect(settled.has(event(ID, 1))).toBe(true);
    now = 1000;
    expect(settled.has(event(ID, 1))).toBe(false);
    expect(settled.size).toBe(0);
  });

  test('bounded: the oldest entry goes first, and remembering again makes an entry the newest', () => {
    const settled = new SettledCertificates({ maxEntries: 2 });
    settled.remember(event(ID, 1));
    settled.remember(event(ID, 2));
    settled.remember(event(ID, 1)); // now newer than 2
    settled.remember(event(ID, 3));

    expect(settled.size).toBe(2);
    expect(settled.has(event(ID, 2))).toBe(false);
    expect(settled.has(event(ID, 1))).toBe(true);
    expect(settled.has(event(ID, 3))).toBe(true);
  });
});

describe('the registration timestamp of a certificate-registered event', () => {
  const body = (certificateRegistrationTimestamp: unknown) =>
    JSON.stringify({ certificateId: ID, caCertificateId: CA, certificateRegistrationTimestamp });

  test.each([
    [1760000000000, 1760000000000],
    ['1760000000000', 1760000000000],
    ['', undefined],
    ['17600000000.5', undefined],
    [-1, undefined],
    [1.5, undefined],
    [null, undefined],
    [{ at: 1 }, undefined],
  ])('%j reads as %j', (value, expected) => {
    expect(parseRegisteredEvent(body(value)).certificateRegistrationTimestamp).toBe(expected);
  });
});

describe('early reminders: repeats of the event while the registration event is still on its way', () => {
  const at = (timestamp?: number, certificateRegistrationTimestamp?: number) =>
    ({ certificateId: ID, caCertificateId: CA, timestamp, certificateRegistrationTimestamp });

  test.each([
    ['the registration event itself (same time)', at(5_000, 5_000), false],
    ['a repeat within a second: taken for the registration event', at(5_999, 5_000), false],
    ['a repeat a second later', at(6_000, 5_000), true],
    ['a repeat just inside the grace', at(5_000 + DEFAULT_REMINDER_GRACE_MS - 1, 5_000), true],
    ['a repeat at the end of the grace: the registration event may be lost', at(5_000 + DEFAULT_REMINDER_GRACE_MS, 5_000), false],
    ['no registration timestamp', at(6_000, undefined), false],
    ['no timestamp', at(undefined, 5_000), false],
    ['a timestamp before the registration', at(4_000, 5_000), false],
  ])('%s: %s', (_what, repeat, early) => {
    expect(isEarlyReminder(repeat, DEFAULT_REMINDER_GRACE_MS)).toBe(early);
  });

  test('a grace of 0 makes no repeat early', () => {
    expect(isEarlyReminder(at(6_000, 5_000), 0)).toBe(false);
  });

  test('timestamps as strings of digits are read as numbers', () => {
    const parsed = parseRegisteredEvent(JSON.stringify({ certificateId: ID, caCertificateId: CA, timestamp: '6000', certificateRegistrationTimestamp: '5000' }));
    expect(isEarlyReminder(parsed, DEFAULT_REMINDER_GRACE_MS)).toBe(true);
  });
});
