import * as fs from 'fs';
import * as path from 'path';
import { AssemblyStack, CfnTemplate } from './types';

const STACK_ARTIFACT = 'aws:cloudformation:stack';
const ASSET_MANIFEST_ARTIFACT = 'cdk:asset-manifest';

interface ManifestArtifact {
  readonly type?: string;
  readonly properties?: Record<string, unknown>;
  readonly dependencies?: string[];
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${file} is not JSON: ${(error as Error).message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The asset manifest a stack depends on, else the `<artifactId>.assets.json` next to it. */
function assetManifestOf(
  dir: string, artifactId: string, artifact: ManifestArtifact, artifacts: Record<string, ManifestArtifact>,
): string | undefined {
  for (const dependency of artifact.dependencies ?? []) {
    const candidate = artifacts[dependency];
    const file = candidate?.type === ASSET_MANIFEST_ARTIFACT ? candidate.properties?.file : undefined;
    if (typeof file === 'string') {
      return path.join(dir, file);
    }
  }
  const conventional = path.join(dir, `${artifactId}.assets.json`);
  return fs.existsSync(conventional) ? conventional : undefined;
}

/**
 * The CloudFormation stacks of a synthesized cloud assembly (`cdk.out`), in
 * manifest order. Nested assemblies (stages) are not followed.
 */
export function readCloudAssembly(cdkOutDir: string): AssemblyStack[] {
  const dir = path.resolve(cdkOutDir);
  const manifest = readJson(path.join(dir, 'manifest.json'), 'cloud assembly manifest');
  const artifacts = (isRecord(manifest) && isRecord(manifest.artifacts) ? manifest.artifacts : {}) as Record<string, ManifestArtifact>;
  const stacks: AssemblyStack[] = [];
  for (const [artifactId, artifact] of Object.entries(artifacts)) {
    if (artifact?.type !== STACK_ARTIFACT) {
      continue;
    }
    const properties = artifact.properties ?? {};
    if (typeof properties.templateFile !== 'string') {
      throw new Error(`stack artifact ${artifactId} in ${dir} names no templateFile`);
    }
    const templatePath = path.join(dir, properties.templateFile);
    const template = readJson(templatePath, `template of stack ${artifactId}`);
    if (!isRecord(template)) {
      throw new Error(`template of stack ${artifactId} (${templatePath}) is not an object`);
    }
    const assetManifestPath = assetManifestOf(dir, artifactId, artifact, artifacts);
    stacks.push({
      stackName: typeof properties.stackName === 'string' ? properties.stackName : artifactId,
      artifactId,
      templatePath,
      template: template as CfnTemplate,
      assetsDirectory: dir,
      ...(assetManifestPath ? { assetManifestPath } : {}),
    });
  }
  return stacks;
}
