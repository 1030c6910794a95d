/**
 * The registration gateway end to end on the synthesized GatewayDemo stack run by the local runner
 * (nothing of ours mocked): tokens as hashes in the local Secrets Manager, the TOKEN authorizer and
 * the registrar as the stack's functions, the token ledger and the registry-event archive in the
 * local S3, a device that publishes with mosquitto_pub with what it received.
 */
import { rmSync } from 'node:fs';
import { synthesizeApiDemo } from './support/api-demo-assembly';
import { runGatewayFlow } from '../../demo/api/gateway-flow';
import { runFlows } from '../../demo/flow-runner';

jest.setTimeout(240_000);

let cdkOut: string;
beforeAll(() => {
  cdkOut = synthesizeApiDemo();
});
afterAll(() => rmSync(cdkOut, { recursive: true, force: true }));

test('tokens, refusals that create nothing, registration, 409, one-time tokens, re-issue, archived registry events', async () => {
  const lines: string[] = [];
  const rows = await runFlows({ flows: [{ name: 'Gateway', run: runGatewayFlow }], cloudAssemblies: [cdkOut], print: (line) => lines.push(line) });
  const output = lines.join('\n');
  expect(rows.map(({ name, passed, failure }) => ({ name, passed, failure }))).toEqual([{ name: 'Gateway', passed: true, failure: undefined }]);
  expect(output).toMatch(/ok {4}no token, .*no Authorization: 401, a wrong token: 401, the wrong identifier: 401, no version: 400, a bad thing name: 400, an attribute the type does not have: 400, a type the token may not register: 403/);
  expect(output).toMatch(/ok {4}gw-sensor-1 registers .*certificate [0-9a-f]{12}\.\.\., mosquitto_pub exit (\d+ -> )*0/);
  expect(output).toMatch(/ok {4}gw-sensor-1 again .*: 409 ThingAlreadyRegistered/);
  expect(output).toMatch(/ok {4}a one-time token .*gw-hub-1: 200; replay: 401 TokenAlreadyUsed; no gw-hub-2/);
  expect(output).toMatch(/ok {4}the service-desk token .*old [0-9a-f]{12}\.\.\. INACTIVE/);
  expect(output).toMatch(/ok {4}the things' registry events are archived .*events\/\$aws\/events\/thing\//);
});
