/**
 * The local cloud's server identity (its stand-in for Amazon's server certificates) is kept in the state
 * directory and used again while it is good, so devices that trust the server CA keep working across restarts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerIdentity, readServerIdentity } from '../../../local/gateway';

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function directory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'server-identity-'));
  scratch.push(dir);
  return dir;
}

test('a second start on the same directory uses the identity the first one wrote', async () => {
  const dir = directory();
  const first = await createServerIdentity(dir);
  const second = await createServerIdentity(dir);

  expect(second).toEqual(first);
});

test('an identity with less than a day left, a missing file or a key of another certificate is made anew', async () => {
  const dir = directory();
  const first = await createServerIdentity(dir);
  expect(readServerIdentity(dir, Date.now() + 29.5 * 24 * 3600 * 1000)).toBeUndefined();

  const other = await createServerIdentity(directory());
  writeFileSync(join(dir, 'server.key.pem'), other.privateKeyPem);
  expect(readServerIdentity(dir)).toBeUndefined();
  const renewed = await createServerIdentity(dir);
  expect(renewed.caCertificatePem).not.toBe(first.caCertificatePem);

  rmSync(join(dir, 'server.pem'));
  expect(readServerIdentity(dir)).toBeUndefined();
});
