/**
 * Runs synthesized stacks (cdk.out) on the local cloud, as a deployment would: IAM roles with
 * their policies, Lambda functions from their bundled assets, queues and their event source
 * mappings, S3 buckets, KMS keys and Secrets Manager secrets, topic rules on the MQTT gateway, REST APIs, and the IoT
 * registry resources; then the custom resources of the CDK Provider framework, whose answers
 * become their Ref and attributes. Every call between them is signed and checked against the
 * template's IAM, so a wiring fault (a missing grant, a wrong topic, a wrong environment variable)
 * fails here as it would in AWS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalFunctionFaults } from '../faults';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../local-cloud';
import { startRestApi, restApisFromResources } from './apigateway';
import { readCloudAssembly } from './assembly';
import { createLaterResources, CustomResources, deleteCustomResources, type CreatedCustomResource, type StackDeletionReport } from './custom-resources';
import { functionDefinition } from './deploy/functions-from-template';
import { loadIamFromTemplate } from './deploy/iam-from-template';
import { createIotRegistryResources, iotRegistryNotRun } from './deploy/iot-from-template';
import { notRunResources } from './deploy/not-run';
import { createEventSourceMappings, createQueues, queuePoliciesFromTemplate } from './deploy/queues-from-template';
import { StackDeployment, type ResolvedStack } from './deploy/resolve-stack';
import { createSecrets } from './deploy/secrets-from-template';
import { createStorage } from './deploy/storage-from-template';
import { LocalIam } from './iam';
import type { LocalCredentials, PolicyDocument } from './iam/types';
import { preProvisioningHookInvoker, provisioningRoleAuthorizer } from './iot-provisioning';
import { TopicRuleEngine } from './iot-rules';
import { LocalKms, startKmsApi } from './kms';
import { LocalFunctions, startLambdaApi } from './lambda';
import type { LocalFunctionDefinition, LocalFunctionInvoker } from './lambda/types';
import { startS3Api, LocalS3 } from './s3';
import { LocalSecretsManager, startSecretsManagerApi } from './secrets-manager';
import { LocalQueues, startSqsApi, type Clock, type SqsEventSourcePoller } from './sqs';
import type { ResolvedResource } from './types';

/** The local cloud's own options (state directory, ports, account, Region, rate limits, log), and what the runner adds. */
export interface StackRunnerOptions extends Omit<LocalCloudOptions, 'accessControl'> {
  /** cdk.out directories; every stack of each runs. */
  readonly cloudAssemblies: readonly string[];
  /** The queues' and event-source mappings' clock (a ManualClock lets a test step through visibility timeouts). */
  readonly clock?: Clock;
  /** Where `@aws-sdk/*` resolves for the functions (Lambda's runtime provides it). Default: this project's node_modules. */
  readonly sdkModulesDirectory?: string;
  /** Every line a function writes. */
  readonly onFunctionLog?: (functionName: string, line: string) => void;
  /**
   * How long one custom resource request may take, the user's onEvent and isComplete polling together, before start-up
   * (or a deletion) fails with "Operation timed out". The Provider's totalTimeout and the resource's ServiceTimeout
   * apply too. @default 300
   */
  readonly customResourceTimeoutSeconds?: number;
  /** Test-only fault switch (local/faults.ts): function instances that crash on outbound calls. None by default. */
  readonly functionFaults?: LocalFunctionFaults;
}

export interface RunningStacks {
  readonly cloud: LocalCloud;
  readonly iam: LocalIam;
  readonly functions: LocalFunctions;
  readonly queues: LocalQueues;
  readonly rules: TopicRuleEngine;
  readonly s3: LocalS3;
  readonly kms: LocalKms;
  readonly secrets: LocalSecretsManager;
  /** The stacks as deployed: custom resources with the PhysicalResourceId and Data their provider answered, outputs resolved after them. */
  readonly stacks: readonly ResolvedStack[];
  /** The endpoints to give an AWS SDK client (`endpoint` option, or AWS_ENDPOINT_URL_<SERVICE>). */
  readonly endpoints: Readonly<{ IOT: string; S3: string; KMS: string; LAMBDA: string; SQS: string; SECRETS_MANAGER: string }>;
  /** The demo user's credentials: allowed everything by identity policy, still bound by resource policies. */
  readonly adminCredentials: LocalCredentials;
  /** Sentences about what the runner does not run; print them once at start-up. */
  readonly notRun: readonly string[];
  readonly pollers: readonly SqsEventSourcePoller[];
  readonly region: string;
  readonly accountId: string;
  /** A resource of a stack, resolved. Throws when there is none. */
  resource(stackName: string, logicalId: string): ResolvedResource;
  /** Resources of a type across the stacks. */
  resourcesOfType(type: string): ResolvedResource[];
  /** The invoke URL (`http://127.0.0.1:<port>/<stage>/`) of a REST API by its logical id. */
  restApiUrl(stackName: string, logicalId: string): string;
  /**
   * The local address of an AWS URL the stack outputs: `https://<api id>.execute-api.<region>.<suffix>/<stage>/<path>`
   * becomes `http://127.0.0.1:<port>/<stage>/<path>`. Throws for a URL the runner does not serve.
   */
  localUrl(awsUrl: string): string;
  /** Resolves when no rule action and no event-source invocation is in flight and the mapped queues are empty. */
  settled(timeoutMs?: number): Promise<void>;
  /**
   * Closes the AWS IoT part (control plane and MQTT gateway: `cloud`), which keeps its registry in the state
   * directory, waits `downtimeMs`, and starts it again on the same ports; the rest of the stacks (functions,
   * queues, rules) keeps running, and calls to AWS IoT meanwhile fail as calls to an unreachable endpoint do.
   * For resilience tests; `cloud` is the new one afterwards.
   */
  restartCloud(downtimeMs?: number): Promise<void>;
  /**
   * Deletes the stacks as far as custom resources go: Delete requests (their PhysicalResourceId and properties) in
   * reverse creation order, DeletionPolicy Retain / RetainExceptOnCreate kept, failures reported (and tried again by
   * a later call). The other resources and the services stay until close().
   */
  deleteStacks(): Promise<StackDeletionReport>;
  close(): Promise<void>;
}

/** A LocalFunctionInvoker that forwards to the functions once they exist (the Lambda API starts first: they need its URL). */
function lateInvoker(get: () => LocalFunctionInvoker): LocalFunctionInvoker {
  return { find: (name) => get().find(name), invoke: (name, event) => get().invoke(name, event) };
}

export async function startStackRunner(options: StackRunnerOptions): Promise<RunningStacks> {
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const assemblies = options.cloudAssemblies.flatMap((directory) => readCloudAssembly(directory));
  const notRun: string[] = notRunResources(assemblies);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  const log = options.log ?? (() => undefined);
  try {
    const iam = new LocalIam({ accountId, region });
    // The SQS API comes first: queue URLs (what Ref answers) point at it.
    const queues = new LocalQueues(options.clock);
    let queuePolicies = new Map<string, PolicyDocument>();
    const sqsApi = await startSqsApi({
      queues, accessControl: iam, queuePolicy: (arn) => queuePolicies.get(arn), region, accountId, clock: options.clock,
    });
    closers.push(() => sqsApi.close());

    // Everything but custom resources and what refers to them is resolved now, and created below.
    const deployments = assemblies.map((stack) => new StackDeployment(stack, { accountId, region, sqsUrlBase: sqsApi.url }));
    const allResources: ResolvedResource[] = deployments.flatMap((deployment) => deployment.immediate);
    notRun.push(...loadIamFromTemplate(iam, allResources));

    let cloud = await startLocalCloud({ ...options, accountId, region, accessControl: iam });
    closers.push(() => cloud.close());

    const kms = new LocalKms({ accountId, region, accessControl: iam });
    const s3 = new LocalS3();
    notRun.push(...createStorage(allResources, kms, s3));
    const kmsApi = await startKmsApi({ kms, accessControl: iam });
    closers.push(() => kmsApi.close());
    const s3Api = await startS3Api({ s3, kms, accessControl: iam });
    closers.push(() => s3Api.close());
    // CloudFormation creates secrets as the deployer: the admin user here, with its KMS permissions.
    const deployer = { arn: `arn:aws:iam::${accountId}:user/local-admin`, accountId };
    iam.adminCredentials();
    const secrets = new LocalSecretsManager({ kms, accessControl: iam, region, accountId });
    notRun.push(...createSecrets(allResources, secrets, deployer));
    const secretsApi = await startSecretsManagerApi({ secrets, accessControl: iam });
    closers.push(() => secretsApi.close());

    let functions: LocalFunctions | undefined;
    const invoker = lateInvoker(() => functions!);
    const lambdaApi = await startLambdaApi({ functions: invoker, accessControl: iam });
    closers.push(() => lambdaApi.close());
    const endpoints = {
      IOT: cloud.controlPlaneUrl, S3: s3Api.url, KMS: kmsApi.url, LAMBDA: lambdaApi.url, SQS: sqsApi.url, SECRETS_MANAGER: secretsApi.url,
    };
    functions = new LocalFunctions({
      region,
      accountId,
      serviceEndpoints: endpoints,
      sdkModulesDirectory: options.sdkModulesDirectory ?? resolve(__dirname, '..', '..', 'node_modules'),
      onLog: options.onFunctionLog,
      faults: options.functionFaults,
    });
    closers.push(() => functions!.close());
    const inlineCode = mkdtempSync(join(tmpdir(), 'cdk-iot-security-functions-'));
    closers.push(async () => rmSync(inlineCode, { recursive: true, force: true }));
    const definitions: LocalFunctionDefinition[] = deployments.flatMap((deployment) => deployment.immediate
      .filter((resource) => resource.type === 'AWS::Lambda::Function')
      .map((fn) => functionDefinition(deployment.stack, fn, deployment.immediate, iam, inlineCode)));
    for (const definition of definitions) functions.add(definition);

    notRun.push(...createQueues(queues, allResources));
    queuePolicies = queuePoliciesFromTemplate(allResources, queues);
    const pollers = createEventSourceMappings(allResources, queues, functions, iam, accountId, options.clock);

    await createIotRegistryResources(cloud.model, allResources);
    notRun.push(...iotRegistryNotRun(allResources));
    // JITP and RegisterThing act as the template's provisioning role; hooks run as the stack's functions.
    const wireModel = (model: LocalCloud['model']) => {
      model.setProvisioningRoleAuthorizer(provisioningRoleAuthorizer(iam, accountId));
      model.setPreProvisioningHookInvoker(preProvisioningHookInvoker(functions!, iam, accountId));
    };
    wireModel(cloud.model);

    const rules = new TopicRuleEngine({
      accountId,
      region,
      queues,
      functions,
      accessControl: iam,
      log: options.log,
      queuePolicy: (arn) => queuePolicies.get(arn),
      s3: { s3, kms, accessControl: iam },
    });
    for (const rule of allResources.filter((resource) => resource.type === 'AWS::IoT::TopicRule')) rules.addRule(rule);
    notRun.push(...rules.unsupported());
    let detachRules = rules.attach(cloud.mqtt);
    closers.push(async () => detachRules());

    const apiUrls = new Map<string, string>();
    const apiPorts = new Map<string, number>();
    for (const api of restApisFromResources(allResources)) {
      notRun.push(...api.unsupported);
      const server = await startRestApi({
        api, functions, accessControl: iam, region, accountId, log: (line) => log({ event: 'apigateway', api: api.logicalId, line }),
      });
      closers.push(() => server.close());
      apiUrls.set(`${api.stackName}/${api.logicalId}`, server.url);
      apiPorts.set(api.id, server.port);
    }

    for (const poller of pollers) {
      poller.start();
      closers.push(() => poller.stop());
    }

    // Last, as CloudFormation orders them: custom resources, and the resources that refer to them.
    const customResources = new CustomResources({
      region, accountId, functions, accessControl: iam, timeoutSeconds: options.customResourceTimeoutSeconds, log: options.log,
    });
    const later = await createLaterResources({
      deployments,
      customResources,
      functions,
      services: { iam, kms, s3, secrets, deployer, functions, iot: cloud.model, inlineCodeRoot: inlineCode },
      created: allResources,
    });
    notRun.push(...later.notRun);
    const liveCustomResources: CreatedCustomResource[] = [...later.customResources];
    const stacks = later.stacks.map((result) => result.stack);
    const deployed = stacks.flatMap((stack) => stack.resources);

    const resource = (stackName: string, logicalId: string): ResolvedResource => {
      const found = deployed.find((candidate) => candidate.stackName === stackName && candidate.logicalId === logicalId);
      if (!found) throw new Error(`no resource ${logicalId} in stack ${stackName}`);
      return found;
    };
    return {
      get cloud() {
        return cloud;
      },
      iam,
      functions,
      queues,
      rules,
      s3,
      kms,
      secrets,
      stacks,
      endpoints,
      pollers,
      region,
      accountId,
      adminCredentials: iam.adminCredentials(),
      notRun,
      resource,
      resourcesOfType: (type) => deployed.filter((candidate) => candidate.type === type),
      restApiUrl: (stackName, logicalId) => {
        const url = apiUrls.get(`${stackName}/${logicalId}`);
        if (!url) throw new Error(`no REST API ${logicalId} in stack ${stackName}`);
        return url;
      },
      localUrl: (awsUrl) => {
        const match = /^https:\/\/([a-z0-9]+)\.execute-api\.[^/]+(\/.*)?$/.exec(awsUrl);
        const port = match ? apiPorts.get(match[1]) : undefined;
        if (!match || port === undefined) throw new Error(`${awsUrl} is not the URL of a REST API the runner serves`);
        return `http://127.0.0.1:${port}${match[2] ?? '/'}`;
      },
      settled: async (timeoutMs = 30_000) => {
        await rules.idle();
        await Promise.all(pollers.map((poller) => poller.drained(timeoutMs)));
      },
      restartCloud: async (downtimeMs = 0) => {
        const ports = { controlPlanePort: Number(new URL(cloud.controlPlaneUrl).port), mqttPort: cloud.mqtt.port };
        detachRules();
        await cloud.close();
        await sleep(downtimeMs);
        cloud = await startLocalCloud({ ...options, ...ports, accountId, region, accessControl: iam });
        wireModel(cloud.model);
        detachRules = rules.attach(cloud.mqtt);
      },
      deleteStacks: () => deleteCustomResources(liveCustomResources, deployments, customResources),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
