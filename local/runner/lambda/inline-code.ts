import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a function's inline source (CloudFormation `Code.ZipFile`) the way Lambda stores it for
 * Node.js runtimes: as `index.js` in the code directory, so `index.handler` finds it.
 * Returns the directory, to use as the function's codeDirectory.
 */
export function writeInlineCode(zipFile: string, directory: string): string {
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, 'index.js'), zipFile);
  return directory;
}
