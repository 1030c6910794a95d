/**
 * Bundles each Lambda handler in lambda-assets/<function>/index.ts into
 * assets/handlers/<function>/index.js at build time.
 *
 * Why here and not in the constructs: a consumer of the published package
 * (TypeScript, Python or Java) must be able to synth with no esbuild and no
 * Docker, so the assets ship pre-built inside the package.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

/** The size budget from DESIGN.md: cold starts are onboarding latency. */
const MAX_BUNDLE_BYTES = 500 * 1024;

const root = resolve(__dirname, '..');
const sourceDir = join(root, 'lambda-assets');
const outDir = join(root, 'assets', 'handlers');

function handlerNames(): string[] {
  return readdirSync(sourceDir)
    .filter((name) => name !== 'shared')
    .filter((name) => existsSync(join(sourceDir, name, 'index.ts')))
    .sort();
}

function bundle(name: string): number {
  const outfile = join(outDir, name, 'index.js');
  buildSync({
    entryPoints: [join(sourceDir, name, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // node20 syntax: the runtime is Node.js 24, and the local cloud runs the same bundles on Node 20.
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    // The Lambda Node.js runtime ships AWS SDK v3. Bundling it is no longer a
    // saving: since the SDK moved to schema-based serialization, each client
    // carries one schema module for all its operations (client-iot: 110 KiB)
    // that esbuild cannot tree-shake, which put every handler over budget.
    external: ['@aws-sdk/*', '@smithy/*'],
    minify: true,
    legalComments: 'external',
    logLevel: 'warning',
  });
  return statSync(outfile).size;
}

function main(): void {
  rmSync(outDir, { recursive: true, force: true });
  const oversized: string[] = [];
  for (const name of handlerNames()) {
    const bytes = bundle(name);
    const kib = (bytes / 1024).toFixed(1);
    console.log(`bundled ${name}: ${kib} KiB`);
    if (bytes > MAX_BUNDLE_BYTES) oversized.push(`${name} (${kib} KiB)`);
  }
  if (oversized.length > 0) {
    throw new Error(`handler bundles over the ${MAX_BUNDLE_BYTES / 1024} KiB budget: ${oversized.join(', ')}`);
  }
}

main();
