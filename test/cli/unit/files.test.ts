import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../../../cli/src/exit-codes';
import { fileNameOption, readInputFile, writeOutputFiles } from '../../../cli/src/files';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cli-files-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FILES = [
  { name: 'a.cert.pem', content: 'certificate\n', secret: false },
  { name: 'a.key.pem', content: 'key\n', secret: true },
];

/** The permission bits, as `ls -l` shows them (octal text, e.g. '600'). */
function permissions(path: string): string {
  return (statSync(path).mode % 0o1000).toString(8);
}

function thrown(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a CliError');
}

test('keys are written 0600 and the rest 0644, whatever the umask', () => {
  const previous = process.umask(0o000);
  try {
    const [cert, key] = writeOutputFiles(join(dir, 'new', 'nested'), FILES, false);
    expect(permissions(cert)).toBe('644');
    expect(permissions(key)).toBe('600');
    expect(readFileSync(key, 'utf8')).toBe('key\n');
  } finally {
    process.umask(previous);
  }
});

test('nothing is written when any file exists, and the refusal names it (exit 3)', () => {
  writeFileSync(join(dir, 'a.key.pem'), 'old key');
  const error = thrown(() => writeOutputFiles(dir, FILES, false));
  expect(error.exitCode).toBe(EXIT.FILE);
  expect(error.message).toContain('a.key.pem');
  expect(error.hint).toContain('--force');
  expect(() => statSync(join(dir, 'a.cert.pem'))).toThrow();
  expect(readFileSync(join(dir, 'a.key.pem'), 'utf8')).toBe('old key');
});

test('--force replaces, and a replaced key file is tightened to 0600', () => {
  writeFileSync(join(dir, 'a.key.pem'), 'old key');
  chmodSync(join(dir, 'a.key.pem'), 0o644);
  writeOutputFiles(dir, FILES, true);
  expect(readFileSync(join(dir, 'a.key.pem'), 'utf8')).toBe('key\n');
  expect(permissions(join(dir, 'a.key.pem'))).toBe('600');
});

test('a missing input file names the option (exit 3)', () => {
  const error = thrown(() => readInputFile('ca-cert', join(dir, 'nope.pem')));
  expect(error.exitCode).toBe(EXIT.FILE);
  expect(error.message).toBe(`--ca-cert: cannot read ${join(dir, 'nope.pem')} (no such file)`);
});

test('file names come from --name or the CN, made safe for paths', () => {
  expect(fileNameOption({}, 'sensor 1/a')).toBe('sensor_1_a');
  expect(fileNameOption({ name: 'dev-1' }, 'ignored')).toBe('dev-1');
  expect(thrown(() => fileNameOption({ name: '../x' }, undefined)).exitCode).toBe(EXIT.USAGE);
});
