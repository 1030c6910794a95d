/**
 * What the bad-input suites share: the demo stacks on the stack runner (nothing of ours mocked),
 * HTTP calls signed with SigV4 (or deliberately not, or badly), the state a refusal must leave as
 * it was (registry: things, certificates, policies, CAs, templates; every object of every bucket),
 * and the table of what was tried and what each got, kept in step with doc/security-review.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  IoTClient,
  ListAttachedPoliciesCommand,
  ListCACertificatesCommand,
  ListCertificatesCommand,
  ListProvisioningTemplatesCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../local/runner/iam/node-sha256';
import type { LocalCredentials } from '../../../local/runner/iam/types';
import { startStackRunner, type RunningStacks } from '../../../local/runner/stack-runner';

export const REVIEW_DOC = resolve(__dirname, '..', '..', '..', 'doc', 'security-review.md');

/** The demo stacks on a stack runner, with a scratch directory; `close` ends both. */
export interface DemoCloud {
  readonly runner: RunningStacks;
  readonly scratch: string;
  /** The lines the stacks' functions logged (for stack traces that must not leak, and for diagnosis). */
  readonly functionLog: string[];
  readonly outputs: (stackName: string) => Record<string, string>;
  readonly iot: IoTClient;
  close(): Promise<void>;
}

export async function startDemoCloud(cloudAssemblies: string[]): Promise<DemoCloud> {
  const scratch = mkdtempSync(join(tmpdir(), 'cdk-iot-security-bad-input-'));
  const functionLog: string[] = [];
  const runner = await startStackRunner({
    cloudAssemblies,
    stateDirectory: join(scratch, 'cloud'),
    onFunctionLog: (name, line) => functionLog.push(`${name}: ${line}`),
  });
  const iot = new IoTClient({ region: runner.region, credentials: runner.adminCredentials, endpoint: runner.endpoints.IOT });
  return {
    runner,
    scratch,
    functionLog,
    iot,
    outputs: (stackName) => {
      const outputs = runner.stacks.find((stack) => stack.stackName === stackName)?.outputs;
      if (!outputs) throw new Error(`stack ${stackName} is not running`);
      return outputs as Record<string, string>;
    },
    close: async () => {
      iot.destroy();
      await runner.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * Everything a request could have changed: the registry (things with their types, attributes and
 * principals; certificates with their status and policies; CAs; policies through the
 * certificates; provisioning templates) and every current object version of every bucket.
 */
export async function cloudState(cloud: DemoCloud): Promise<string> {
  const { iot, runner } = cloud;
  const things = (await iot.send(new ListThingsCommand({ maxResults: 250 }))).things ?? [];
  const certificates = (await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates ?? [];
  const cas = (await iot.send(new ListCACertificatesCommand({ pageSize: 250 }))).certificates ?? [];
  const templates = (await iot.send(new ListProvisioningTemplatesCommand({}))).templates ?? [];
  const state = {
    things: await Promise.all(things.map(async (thing) => ({
      name: thing.thingName,
      type: thing.thingTypeName,
      attributes: thing.attributes,
      principals: (await iot.send(new ListThingPrincipalsCommand({ thingName: thing.thingName }))).principals?.sort(),
    }))),
    certificates: await Promise.all(certificates.map(async (certificate) => ({
      id: certificate.certificateId,
      status: certificate.status,
      policies: (await iot.send(new ListAttachedPoliciesCommand({ target: certificate.certificateArn }))).policies
        ?.map((policy) => policy.policyName).sort(),
    }))),
    cas: cas.map((ca) => `${ca.certificateId} ${ca.status}`).sort(),
    templates: templates.map((template) => `${template.templateName} ${template.enabled}`).sort(),
    objects: runner.s3.bucketNames().sort().flatMap((name) => runner.s3.bucket(name)!.listCurrent().map((object) => `${name}/${object.key}@${object.versionId}`)),
  };
  state.things.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  state.certificates.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return JSON.stringify(state, null, 1);
}

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: any;
}

/** How a call is authenticated: signed by these credentials, unsigned, or signed and then spoiled. */
export type Signing =
  | { readonly as: LocalCredentials }
  | { readonly unsigned: true }
  | { readonly as: LocalCredentials; readonly tamper: 'signature' | 'body-after-signing' | 'wrong-secret' | 'unknown-key' | 'stale-date' };

export interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly signing: Signing;
  readonly region: string;
}

/** One HTTP call to a REST API the runner serves: SigV4 (execute-api) unless unsigned, the body sent exactly as given. */
export async function call(url: string, body: string | undefined, options: CallOptions): Promise<HttpAnswer> {
  const target = new URL(url);
  const method = options.method ?? 'POST';
  let headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if ('as' in options.signing) {
    const tamper = 'tamper' in options.signing ? options.signing.tamper : undefined;
    const credentials = tamper === 'wrong-secret' ? { ...options.signing.as, secretAccessKey: `${options.signing.as.secretAccessKey}x` }
      : tamper === 'unknown-key' ? { ...options.signing.as, accessKeyId: 'ASIAXXXXXXXXXXXXXXXX' }
        : options.signing.as;
    const signer = new SignatureV4({ credentials, region: options.region, service: 'execute-api', sha256: NodeSha256 });
    const signed = await signer.sign(new HttpRequest({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { ...headers, host: target.host },
      body,
    }), tamper === 'stale-date' ? { signingDate: new Date(Date.now() - 60 * 60 * 1000) } : undefined);
    headers = { ...signed.headers } as Record<string, string>;
    delete headers.host;
    if (tamper === 'signature') {
      headers.authorization = headers.authorization.replace(/Signature=([0-9a-f])/, (_match, first: string) => `Signature=${first === '0' ? '1' : '0'}`);
    }
    if (tamper === 'body-after-signing') body = `${body ?? ''} `;
  }
  const response = await fetch(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** One row of the table: what was tried, and what it got. */
export interface Attempt {
  readonly endpoint: string;
  readonly tried: string;
  readonly got: string;
}

/**
 * The field a refusal names. Our handlers start the message with it (`CSR: ...`,
 * `csrSubjects.commonName: ...`); API Gateway's model check (400 InvalidBody, in the handlers'
 * shape, `$context.error.validationErrorString`) names it by its path (`at "/csrSubjects"`) or in
 * the list of missing or extra properties. A refusal of the whole body names `body`.
 */
export function fieldOf(answer: HttpAnswer): string | undefined {
  const message: unknown = answer.json?.error?.message;
  if (typeof message !== 'string') return undefined;
  if (message.startsWith('[')) {
    const path = /at \\?"\/([^"\\]+)\\?"/.exec(message)?.[1];
    const listed = /(?:not allowed by the schema: |missing required properties \()\[\\?"([^"\\]+)\\?"/.exec(message)?.[1];
    if (path && listed) return `${path.replace(/\//g, '.')}.${listed}`;
    if (path || listed) return (path ?? listed)!.replace(/\//g, '.');
    return message.startsWith('[Invalid input') || message.includes('instance type') ? 'body' : undefined;
  }
  const colon = message.indexOf(': ');
  return colon > 0 ? message.slice(0, colon) : undefined;
}

/** A message as the table shows it: ids, times, ARNs and registration codes replaced by placeholders, long ones cut. */
export function stableText(text: string, max = 170): string {
  const stable = text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<date>')
    .replace(/\d{8}T\d{6}Z/g, '<time>')
    .replace(/arn:aws:[^\s"),]+/g, '<arn>')
    .replace(/\b[0-9a-fA-F]{64}\b/g, '<64 hex>')
    .replace(/\s+/g, ' ')
    // Invisible and control characters spelled out, so the table shows what was there.
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return stable.length > max ? `${stable.slice(0, max - 3)}...` : stable;
}

/** What an HTTP refusal says, as the table shows it: status, code and message; API Gateway's own refusals by their message. */
export function describeRefusal(answer: HttpAnswer): string {
  // An accepted request is a failed case; its answer may hold a private key, so only its fields are named.
  if (answer.status < 300) return `${answer.status} ACCEPTED (fields: ${Object.keys(answer.json ?? {}).join(', ')})`;
  const error = answer.json?.error;
  if (error && typeof error.code === 'string') {
    const by = typeof error.message === 'string' && error.message.startsWith('[') ? ' (API Gateway model)' : '';
    return `${answer.status} ${error.code}${by}: ${stableText(String(error.message))}`;
  }
  // API Gateway's own refusals: {message}, or {Message} for an IAM denial.
  const message = answer.json?.message ?? answer.json?.Message;
  if (typeof message === 'string') return `${answer.status} (API Gateway): ${stableText(message)}`;
  return `${answer.status}: ${stableText(answer.text, 60)}`;
}

/** Nothing of a stack trace: no "    at f (file:line)", no source paths, no node_modules. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(|\.(ts|js):\d+|node_modules|\/var\/task|\/tmp\/cdk-iot-security/);
}

/**
 * The table rows of one section of doc/security-review.md, between `<!-- bad-input:<section> -->`
 * and `<!-- /bad-input:<section> -->`. With UPDATE_SECURITY_REVIEW=1 the section is rewritten from
 * the attempts; otherwise it must already say exactly that (the doc is kept in step with the tests).
 */
export function checkReviewTable(section: string, attempts: readonly Attempt[]): void {
  const begin = `<!-- bad-input:${section} -->`;
  const end = `<!-- /bad-input:${section} -->`;
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const table = [
    '| endpoint | what was tried | what it got |',
    '| --- | --- | --- |',
    ...attempts.map((attempt) => `| ${escape(attempt.endpoint)} | ${escape(attempt.tried)} | ${escape(attempt.got)} |`),
  ].join('\n');
  const doc = readFileSync(REVIEW_DOC, 'utf8');
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${REVIEW_DOC} has no section ${begin} ... ${end}`);
  const current = doc.slice(from + begin.length, to).trim();
  if (process.env.UPDATE_SECURITY_REVIEW === '1') {
    writeFileSync(REVIEW_DOC, `${doc.slice(0, from + begin.length)}\n${table}\n${doc.slice(to)}`);
    return;
  }
  if (current !== table) {
    throw new Error(`doc/security-review.md (${section}) is not in step with the tests; run them with UPDATE_SECURITY_REVIEW=1 and review the diff.\n`
      + `expected:\n${table}\n\ndoc has:\n${current}`);
  }
}

/** One bad request to an HTTP endpoint, and what must answer it. */
export interface HttpCase {
  readonly tried: string;
  /** The body as sent: an object is sent as JSON, a string as it is, undefined as none. */
  readonly body: () => unknown;
  /** Who signs: a name the suite's `signing` function knows. @default 'allowed' */
  readonly auth?: string;
  readonly method?: string;
  /** Another path on the same API (`/`, `/x`): the other routes. */
  readonly path?: string;
  readonly headers?: () => Record<string, string>;
  readonly status: number;
  /** The field the refusal must name (see fieldOf); none for API Gateway's own refusals. */
  readonly field?: string | RegExp;
  /** The error code, when it matters. */
  readonly code?: string;
}

export interface HttpSuite {
  readonly endpoint: string;
  readonly cases: readonly HttpCase[];
  /** The stacks serving the endpoint; each must answer every case alike. */
  readonly stacks: readonly string[];
  readonly url: (stackName: string, path?: string) => string;
  readonly signing: (auth: string, stackName: string) => Signing;
  readonly region: () => string;
  readonly attempts: Attempt[];
}

/** One jest test per case and stack: the status, the field named, no stack trace; the first stack's answers make the table rows. */
export function describeHttpCases(suite: HttpSuite): void {
  describe.each(suite.cases.map((testCase) => ({ ...testCase, title: testCase.tried })))(`${suite.endpoint}: $title`, (testCase) => {
    test.each(suite.stacks)('%s answers with a 4xx naming the field, no stack trace', async (stackName) => {
      const body = testCase.body();
      const answer = await call(suite.url(stackName, testCase.path), body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), {
        method: testCase.method, headers: testCase.headers?.(), signing: suite.signing(testCase.auth ?? 'allowed', stackName), region: suite.region(),
      });
      // Recorded first, so the table shows what an endpoint answered even when the answer fails the case.
      const got = describeRefusal(answer);
      if (stackName === suite.stacks[0]) suite.attempts.push({ endpoint: suite.endpoint, tried: testCase.tried, got });
      expectNoStackTrace(answer.text);
      expect({ status: answer.status, got }).toEqual({ status: testCase.status, got: expect.any(String) });
      if (testCase.field !== undefined) {
        expect(answer.json?.error).toEqual({ code: expect.stringMatching(/^[A-Z]\w+$/), message: expect.any(String) });
        if (typeof testCase.field === 'string') expect(fieldOf(answer)).toBe(testCase.field);
        else expect(fieldOf(answer)).toMatch(testCase.field);
      }
      if (testCase.code !== undefined) expect(answer.json?.error?.code).toBe(testCase.code);
      // Every stack serving the endpoint answers alike.
      if (stackName !== suite.stacks[0]) expect(got).toBe(suite.attempts.find((attempt) => attempt.tried === testCase.tried)?.got);
    });
  });
}
