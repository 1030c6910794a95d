/**
 * CSR provisioning end to end on the synthesized CsrApiDemo stack run by the local runner (nothing
 * of ours mocked): SigV4 as the granted factory-line role, openssl CSRs, RegisterThing in the local
 * control plane, mosquitto_pub over mutual TLS with what the API returned.
 */
import { rmSync } from 'node:fs';
import { synthesizeApiDemo } from './support/api-demo-assembly';
import { runCsrApiFlow } from '../../demo/api/csr-flow';
import { runFlows } from '../../demo/flow-runner';

jest.setTimeout(240_000);

let cdkOut: string;
beforeAll(() => {
  cdkOut = synthesizeApiDemo();
});
afterAll(() => rmSync(cdkOut, { recursive: true, force: true }));

test('refusals create nothing, a CSR provisions a device that connects, a repeat is 409, rotate swaps the certificate', async () => {
  const lines: string[] = [];
  const rows = await runFlows({ flows: [{ name: 'CSR', run: runCsrApiFlow }], cloudAssemblies: [cdkOut], print: (line) => lines.push(line) });
  const output = lines.join('\n');
  expect(rows.map(({ name, passed, failure }) => ({ name, passed, failure }))).toEqual([{ name: 'CSR', passed: true, failure: undefined }]);
  expect(output).toMatch(/ok {4}POST \/provision\/device without a signature is refused .*: 403/);
  expect(output).toMatch(/ok {4}bad input .*no CSR: 400, bad base64: 400, an RSA-1024 CSR: 400, an Ed25519 CSR: 400, a forged CSR signature: 400, a bad thing name: 400, an oversized body: 4\d\d/);
  expect(output).toMatch(/ok {4}factory-sensor-1: .*certificate [0-9a-f]{12}\.\.\., mosquitto_pub exit (\d+ -> )*0/);
  expect(output).toMatch(/ok {4}the same thing again: .*: 409 ThingAlreadyProvisioned, existing [0-9a-f]{12}/);
  expect(output).toMatch(/ok {4}rotate: .*new [0-9a-f]{12}\.\.\. ACTIVE, old INACTIVE; new connects, old refused/);
});
