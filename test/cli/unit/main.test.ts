import { EXIT } from '../../../cli/src/exit-codes';
import { main } from '../../../cli/src/main';

let stdout: string;
let stderr: string;
beforeEach(() => {
  stdout = '';
  stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
});
afterEach(() => jest.restoreAllMocks());

test('no command prints the overview and exits 2; --help exits 0', async () => {
  expect(await main([])).toBe(EXIT.USAGE);
  expect(stdout).toContain('ca create');
  expect(await main(['--help'])).toBe(EXIT.OK);
  expect(stdout).toContain('exit codes:');
});

test('an unknown command says which actions its group has', async () => {
  expect(await main(['ca', 'delete'])).toBe(EXIT.USAGE);
  expect(stderr).toContain('unknown command "ca delete"');
  expect(stderr).toContain('ca takes: create, register, list');
});

test('each command has its own --help with the AWS options where it calls AWS', async () => {
  expect(await main(['ca', 'register', '--help'])).toBe(EXIT.OK);
  expect(stdout).toContain('--mode DEFAULT|SNI_ONLY');
  expect(stdout).toContain('AWS_ENDPOINT_URL_IOT');
  stdout = '';
  expect(await main(['device', 'csr', '--help'])).toBe(EXIT.OK);
  expect(stdout).not.toContain('--region');
});

test('an unknown option is a usage error naming it; with --json the error is a JSON document too', async () => {
  expect(await main(['ca', 'create', '--colour', 'red', '--json'])).toBe(EXIT.USAGE);
  expect(stderr).toContain("Unknown option '--colour'");
  expect(JSON.parse(stdout)).toMatchObject({ error: { exitCode: EXIT.USAGE } });
});

test('--version prints the cli package version', async () => {
  expect(await main(['--version'])).toBe(EXIT.OK);
  expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});
