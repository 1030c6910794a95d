/** The parts of a CloudFormation template the runner reads. */
export interface CfnTemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly [key: string]: unknown;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnTemplateResource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** One stack artifact of a cloud assembly. */
export interface AssemblyStack {
  readonly stackName: string;
  /** Id of the artifact in manifest.json (names the asset manifest `<id>.assets.json`). */
  readonly artifactId: string;
  /** Absolute path of the template file. */
  readonly templatePath: string;
  readonly template: CfnTemplate;
  /** Absolute path of the assembly directory, where `asset.<hash>` folders live. */
  readonly assetsDirectory: string;
  /** Absolute path of the stack's asset manifest, when the assembly has one. */
  readonly assetManifestPath?: string;
}

/** A resource of a template, with DependsOn normalised to a list. */
export interface CfnResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly dependsOn: string[];
  readonly metadata?: Record<string, unknown>;
  /** Name of the template condition that guards this resource, if any. */
  readonly condition?: string;
}
