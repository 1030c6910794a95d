/**
 * The local Lambda service's test-only fault switch: an outbound HTTP call of a function kills its
 * instance (a worker thread) before the request leaves or once the response arrived, and the invocation
 * ends as Lambda reports a crashed runtime; the next invocation starts a new instance. Off by default,
 * and only for the functions it applies to. Crashes are counted.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNT_ID, definition, REGION, SDK_MODULES, temporaryDirectory, writeFiles } from './support';
import { INJECTED_CRASH_EXIT_CODE, type LocalFunctionFaults } from '../../../../local/faults';
import { LocalFunctions } from '../../../../local/runner/lambda';

/** Calls the URL in the event with node:http (as the AWS SDK does) and answers what came back. */
const CALLER = `
const http = require('node:http');
exports.handler = (event) => new Promise((resolve, reject) => {
  const request = http.request(event.url, { method: 'POST' }, (response) => {
    let body = '';
    response.on('data', (chunk) => { body += chunk; });
    response.on('end', () => resolve({ status: response.statusCode, body }));
  });
  request.on('error', reject);
  request.end('hello');
});
`;

let root: string;
let server: http.Server;
let url: string;
let received = 0;
const opened: LocalFunctions[] = [];

beforeAll(async () => {
  root = temporaryDirectory('crash-faults');
  writeFiles(root, { 'index.js': CALLER });
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.end('took effect');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

beforeEach(() => {
  received = 0;
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((functions) => functions.close()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(root, { recursive: true, force: true });
});

function functionsWith(faults?: LocalFunctionFaults): LocalFunctions {
  const functions = new LocalFunctions({ region: REGION, accountId: ACCOUNT_ID, serviceEndpoints: {}, sdkModulesDirectory: SDK_MODULES, faults });
  opened.push(functions);
  functions.add(definition('caller', root));
  functions.add(definition('bystander', root));
  return functions;
}

test('a crash before the request leaves: the call never happens, the invocation ends in Runtime.ExitError', async () => {
  const functions = functionsWith({ crashProbabilityPerCall: 1, crashTiming: 'beforeRequest' });

  const result = await functions.invoke('caller', { url });

  expect(result.functionError).toBe('Unhandled');
  expect(result.error).toEqual(expect.objectContaining({ errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining(`exit status ${INJECTED_CRASH_EXIT_CODE}`) }));
  expect(received).toBe(0);
  expect(functions.crashCounts()).toEqual({ crashed: { caller: 1 }, injected: { caller: 1 } });
});

test('a crash once the response arrived: the call took effect, the function never learns it', async () => {
  const functions = functionsWith({ crashProbabilityPerCall: 1, crashTiming: 'afterResponse' });

  const first = await functions.invoke('caller', { url });
  const second = await functions.invoke('caller', { url });

  expect([first.error?.errorType, second.error?.errorType]).toEqual(['Runtime.ExitError', 'Runtime.ExitError']);
  expect(received).toBe(2);
  expect(functions.crashCounts().injected).toEqual({ caller: 2 });
});

test('only the functions it applies to crash; the others, and every function without the switch, answer', async () => {
  const selective = functionsWith({ crashProbabilityPerCall: 1, appliesTo: (name) => name === 'caller' });
  expect((await selective.invoke('bystander', { url })).payload).toEqual({ status: 200, body: 'took effect' });
  expect((await selective.invoke('caller', { url })).functionError).toBe('Unhandled');

  const plain = functionsWith(undefined);
  expect((await plain.invoke('caller', { url })).payload).toEqual({ status: 200, body: 'took effect' });
  const never = functionsWith({ crashProbabilityPerCall: 0 });
  expect((await never.invoke('caller', { url })).payload).toEqual({ status: 200, body: 'took effect' });
  expect(never.crashCounts()).toEqual({ crashed: {}, injected: {} });
});

test('a probability outside 0..1 is refused', () => {
  expect(() => functionsWith({ crashProbabilityPerCall: 2 })).toThrow('crashProbabilityPerCall must be a number from 0 to 1, got 2');
});
