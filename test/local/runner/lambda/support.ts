import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalFunctionDefinition } from '../../../../local/runner/lambda';

export const REGION = 'eu-west-1';
export const ACCOUNT_ID = '123456789012';
/** The repository's node_modules, where the installed AWS SDK v3 packages resolve. */
export const SDK_MODULES = path.resolve(__dirname, '../../../../node_modules');

/** A fresh temporary directory (tests remove it in afterAll). */
export function temporaryDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Writes handler source files (relative path -> source) into a directory. */
export function writeFiles(directory: string, files: Readonly<Record<string, string>>): string {
  for (const [relativePath, source] of Object.entries(files)) {
    const file = path.join(directory, relativePath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
  }
  return directory;
}

export function functionArn(functionName: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`;
}

/** A function definition with the given code; everything else as a template would typically give it. */
export function definition(
  functionName: string,
  codeDirectory: string,
  overrides: Partial<LocalFunctionDefinition> = {},
): LocalFunctionDefinition {
  return {
    logicalId: `${functionName.replace(/[^A-Za-z0-9]/g, '')}Function`,
    functionName,
    functionArn: functionArn(functionName),
    codeDirectory,
    handler: 'index.handler',
    runtime: 'nodejs20.x',
    environment: {},
    role: {
      arn: `arn:aws:iam::${ACCOUNT_ID}:role/${functionName}-role`,
      credentials: { accessKeyId: `AKID${functionName.toUpperCase().replace(/[^A-Z0-9]/g, '')}`, secretAccessKey: `secret-${functionName}`, sessionToken: `token-${functionName}` },
    },
    ...overrides,
  };
}
