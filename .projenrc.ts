import { awscdk, javascript, JsonFile } from 'projen';

// Directories outside the jsii assembly (src/) that still get type-checked and linted.
const nodeOnlyDirs = ['lambda-assets', 'demo', 'bench', 'scripts', 'local', 'cli'];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-iot-security',
  description: 'Secure AWS IoT device onboarding (JITR, JITP, fleet provisioning, CSR and token registration APIs) as CDK constructs, with a local cloud to run every flow end to end.',
  author: 'cdk-iot-security developers',
  authorAddress: 'maintainers@cdk-iot-security.dev',
  repositoryUrl: 'https://github.com/cdk-iot-security/cdk-iot-security.git',
  keywords: ['cdk', 'aws-cdk', 'awscdk', 'aws-iot', 'iot', 'jitr', 'jitp', 'fleet-provisioning', 'x509', 'pki'],
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  publishToPypi: {
    distName: 'cdk-iot-security',
    module: 'cdk_iot_security',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkiotsecurity',
    mavenGroupId: 'io.github.cdk-iot-security',
    mavenArtifactId: 'cdk-iot-security',
  },

  // Handler dependencies are bundled into lambda assets at build time, so the
  // published package keeps aws-cdk-lib and constructs as its only runtime deps.
  devDeps: [
    '@aws-sdk/client-iot',
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-kms',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-sqs',
    '@peculiar/x509',
    // The local cloud checks SigV4 signatures by recomputing them, and API Gateway models (JSON schema draft-04).
    '@smithy/signature-v4',
    '@smithy/protocol-http',
    'ajv@^8',
    'ajv-draft-04',
    '@types/aws-lambda',
    '@types/node-forge',
    // aedes 1.x is ESM-only; 0.51 is CommonJS like the rest of the local cloud.
    'aedes@~0.51.3',
    'aws-cdk@2.1148.1',
    'aws-iot-device-sdk-v2',
    'aws-sdk-client-mock',
    // The command-line tool (cli/, its own npm package): linked so `npx cdk-iot-security-cli` works in the repository.
    'cdk-iot-security-cli@file:cli',
    'cdk-nag@^3',
    'esbuild',
    // Property-based fuzzing of the PKI parsers (CSRs, certificates).
    'fast-check',
    'mqtt@^5',
    'node-forge',
    'reflect-metadata',
  ],

  jestOptions: {
    // Snapshots are never rewritten by a test run: a changed template must fail.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 60_000,
      coveragePathIgnorePatterns: ['/node_modules/', '/assets/'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', ...nodeOnlyDirs, 'projenrc', '.projenrc.ts'],
  },
  gitignore: ['/assets/', '/cdk.out/', '/demo/**/cdk.out/', '/.demo/', '/bench/results/', '/.consumers/', '/test/consumers/java/target/', '__pycache__/', '/cli/dist/', '/cli/*.tgz'],
});

// The bundled handlers ship inside the package (Code.fromAsset reads them);
// their sources, the demo (and its synthesized output), benchmarks, scripts and the
// consumer tests' venv and Maven repository do not.
for (const pattern of ['/lambda-assets/', '/demo/', '/bench/', '/scripts/', '/doc/', '/.ci/', '/cdk.out/', '/local/', '/cli/', '/.demo/', '/.consumers/']) {
  project.addPackageIgnore(pattern);
}
project.addPackageIgnore('!/assets/');

// One type-checking project for everything that is not the jsii assembly:
// tests, handlers, demo, benchmarks and scripts (ts-node and eslint use it).
new JsonFile(project, 'tsconfig.dev.json', {
  obj: {
    extends: './tsconfig.json',
    compilerOptions: { rootDir: '.', noEmit: true, lib: ['es2022', 'dom'] },
    include: ['.projenrc.ts', 'src/**/*.ts', 'test/**/*.ts', ...nodeOnlyDirs.map((dir) => `${dir}/**/*.ts`)],
    exclude: ['node_modules', 'assets', 'cdk.out'],
  },
});
const eslintrc = project.tryFindObjectFile('.eslintrc.json');
eslintrc?.addOverride('parserOptions.projectService', undefined);
eslintrc?.addOverride('parserOptions.project', './tsconfig.dev.json');
eslintrc?.addOverride('settings.import/resolver.typescript.project', './tsconfig.dev.json');

// Bundle every lambda-assets/<function>/index.ts with esbuild before jsii compiles,
// so tests, synth and the published package all see the same assets.
const bundle = project.addTask('bundle', {
  description: 'Bundle the Lambda handlers in lambda-assets/ into assets/handlers/, and the command-line tool into cli/dist/',
  exec: 'ts-node --project tsconfig.dev.json scripts/bundle-handlers.ts',
});
bundle.exec('ts-node --project tsconfig.dev.json scripts/bundle-cli.ts');
project.preCompileTask.spawn(bundle);
// Construct tests synthesize the bundled assets: `npm test` alone must bundle first.
project.testTask.prependSpawn(bundle);

const benchTask = project.addTask('bench', {
  description: 'Benchmarks: certificate issuance rates, handler sizes and load times (a table and JSON lines)',
});
benchTask.spawn(bundle);
benchTask.exec('ts-node --project tsconfig.dev.json bench/index.ts');

// Onboarding at fleet scale: N devices through JITR on the local cloud with AWS's default rates,
// with and without injected faults. A measurement that prints figures, never a timed test.
const onboardingBench = project.addTask('bench:onboarding', {
  description: 'Onboard a burst of devices through JITR on the local cloud (AWS default rate limits), report rate, latency, retries, DLQ, memory',
  receiveArgs: true,
});
onboardingBench.spawn(bundle);
onboardingBench.exec('ts-node --project tsconfig.dev.json bench/onboarding/index.ts');

project.addTask('local', {
  description: 'Start the local cloud (AWS IoT control plane + MQTT/TLS gateway) and keep it up',
  exec: 'ts-node --project tsconfig.dev.json local/cli.ts',
  receiveArgs: true,
});

// Every build packages all three targets (npm, PyPI, Maven) and proves a Python and a Java
// CDK app can use what it built, CI included (projen's default packages only JS under CI).
const consumers = project.addTask('test:consumers', {
  description: 'A Python and a Java CDK app synthesize with the packages in dist/python and dist/java',
  exec: 'bash scripts/test-consumers.sh',
});
// What users install is checked as they get it: the construct package's bundled handlers, and the
// command-line tool installed from its tarball into an empty directory and run with npx.
const checkPackages = project.addTask('check:packages', {
  description: 'The npm package carries the bundled handlers; the cli package installs and runs',
  exec: 'bash scripts/check-package.sh',
});
checkPackages.exec('bash scripts/check-cli-package.sh');
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package-all')!);
project.packageTask.spawn(checkPackages);
project.packageTask.spawn(consumers);

project.addTask('demo', {
  description: 'The main job: run the demo flows',
  exec: 'bash demo/run.sh',
});

project.synth();
