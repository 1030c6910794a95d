import * as fs from 'fs';
import * as path from 'path';
import { AssemblyStack, CfnResource } from './types';

interface AssetManifestFile {
  readonly source?: { readonly path?: string; readonly packaging?: string };
  readonly destinations?: Record<string, { readonly objectKey?: string }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The source path (relative to the assembly) of the file asset published under `objectKey`. */
function assetSourceFor(stack: AssemblyStack, objectKey: string): string | undefined {
  if (!stack.assetManifestPath) {
    return undefined;
  }
  const manifest: unknown = JSON.parse(fs.readFileSync(stack.assetManifestPath, 'utf8'));
  const files = (isRecord(manifest) && isRecord(manifest.files) ? manifest.files : {}) as Record<string, AssetManifestFile>;
  for (const file of Object.values(files)) {
    const published = Object.values(file.destinations ?? {}).some((destination) => destination.objectKey === objectKey);
    if (published && file.source?.path) {
      return file.source.path;
    }
  }
  return undefined;
}

function existingDirectory(candidate: string): boolean {
  return fs.existsSync(candidate) && fs.statSync(candidate).isDirectory();
}

/**
 * Where a Lambda function's code lives: for `Code.S3Key` asset objects, the
 * directory `cdk.out/asset.<hash>/`, found through the stack's asset manifest
 * (falling back to the `aws:asset:path` metadata and the `asset.<hash>`
 * naming convention). Throws for inline code (`Code.ZipFile`), code in an S3
 * object that is no asset of the assembly, and pre-zipped assets.
 */
export function lambdaCodeDirectory(stack: AssemblyStack, functionResource: CfnResource): string {
  const where = `${stack.stackName}/${functionResource.logicalId}`;
  const code = functionResource.properties.Code;
  if (!isRecord(code)) {
    throw new Error(`${where} has no Code property`);
  }
  if (code.ZipFile !== undefined) {
    throw new Error(`${where} has inline code (Code.ZipFile), not an asset directory`);
  }
  if (typeof code.S3Key !== 'string') {
    throw new Error(`${where} has no literal Code.S3Key to locate its asset`);
  }
  const candidates: string[] = [];
  const source = assetSourceFor(stack, code.S3Key);
  if (source) {
    candidates.push(path.resolve(stack.assetsDirectory, source));
  }
  const metadataPath = functionResource.metadata?.['aws:asset:path'];
  if (typeof metadataPath === 'string') {
    candidates.push(path.resolve(stack.assetsDirectory, metadataPath));
  }
  candidates.push(path.join(stack.assetsDirectory, `asset.${code.S3Key.replace(/\.zip$/, '')}`));
  const found = candidates.find(existingDirectory);
  if (found) {
    return found;
  }
  const zipped = candidates.find((candidate) => fs.existsSync(candidate));
  if (zipped) {
    throw new Error(`${where}: asset ${zipped} is a file, not a directory (pre-zipped assets are not supported)`);
  }
  throw new Error(`${where}: no asset directory for S3 key ${code.S3Key} in ${stack.assetsDirectory}`);
}
