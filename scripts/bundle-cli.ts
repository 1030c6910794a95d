/**
 * Bundles the command-line tool (cli/src/main.ts) into cli/dist/main.js, the file its bin loads.
 *
 * Its own code, the PKI it shares with the handlers and the local cloud are bundled; what stays
 * a dependency of the cli package is the AWS SDK (the local cloud also hands it to the stacks'
 * functions, as Lambda's runtime does) and aws-iot-device-sdk-v2, whose aws-crt is native.
 */
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const root = resolve(__dirname, '..');
const outDir = join(root, 'cli', 'dist');

function main(): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'main.js');
  buildSync({
    entryPoints: [join(root, 'cli', 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*', '@smithy/*', 'aws-iot-device-sdk-v2', 'aws-crt'],
    minify: false,
    sourcemap: false,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // The local cloud runs each function instance in a worker thread loading this file by path.
  copyFileSync(join(root, 'local', 'runner', 'lambda', 'worker-bootstrap.js'), join(outDir, 'worker-bootstrap.js'));
  console.log(`bundled cli: ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
}

main();
