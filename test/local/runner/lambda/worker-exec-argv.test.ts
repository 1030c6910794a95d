/**
 * Function instances do not inherit the host's preloaded modules (ts-node, when the local cloud runs from
 * TypeScript): the bootstrap and the handlers are JavaScript, and Lambda has none of the host's preloads.
 */
import { workerExecArgv } from '../../../../local/runner/lambda/function-instance';

test('--require and -r with their module, and --require=..., are left out; other options are kept', () => {
  expect(workerExecArgv(['--require', 'ts-node/register/transpile-only', '--cpu-prof', '-r', 'dotenv/config', '--require=x', '--max-old-space-size=512']))
    .toEqual(['--cpu-prof', '--max-old-space-size=512']);
  expect(workerExecArgv([])).toEqual([]);
});
