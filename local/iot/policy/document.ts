import { parseConditionOperator } from './conditions';
import { PolicyDocumentError } from './errors';

/**
 * CreatePolicy's limit: "policyDocument must have a minimum length of 1, with
 * a maximum length of 2048, excluding whitespace" (AWS IoT API reference, CreatePolicy).
 */
export const MAX_POLICY_DOCUMENT_CHARACTERS = 2048;

/** The policy language versions IAM knows; only 2012-10-17 substitutes `${...}` variables. */
const POLICY_LANGUAGE_VERSIONS = ['2012-10-17', '2008-10-17'];

/** One condition of a statement: an operator, a key, and the values to compare it with. */
export interface ParsedCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** A statement with every element normalized to a list. */
export interface ParsedStatement {
  /** Position in the document, from 1. */
  readonly position: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly conditions: readonly ParsedCondition[];
}

/** A policy document as the evaluator reads it. */
export interface ParsedPolicy {
  /**
   * Whether `${...}` are policy variables. IAM: without `"Version": "2012-10-17"`
   * the language defaults to 2008-10-17 and "variables such as ${aws:username}
   * aren't recognized as variables and are instead treated as literal strings".
   */
  readonly substitutesVariables: boolean;
  readonly statements: readonly ParsedStatement[];
}

/**
 * Throws {@link PolicyDocumentError} for a document AWS IoT's CreatePolicy
 * would refuse: empty or longer than 2048 characters (whitespace excluded), not
 * a JSON object, no Statement, an Effect other than `Allow`/`Deny`, no
 * Action/NotAction or Resource/NotResource (or both of a pair), a Principal, an
 * unknown element, a malformed action, resource or condition.
 */
export function validatePolicyDocument(text: string): void {
  parsePolicyDocument(text);
}

/** Validates a document (see {@link validatePolicyDocument}) and returns it normalized. */
export function parsePolicyDocument(text: string): ParsedPolicy {
  if (typeof text !== 'string') throw new PolicyDocumentError('the policy document must be a string of JSON');
  const size = text.replace(/\s/g, '').length;
  if (size === 0) throw new PolicyDocumentError('the policy document is empty');
  if (size > MAX_POLICY_DOCUMENT_CHARACTERS) {
    throw new PolicyDocumentError(
      `the policy document has ${size} characters excluding whitespace; AWS IoT allows at most ${MAX_POLICY_DOCUMENT_CHARACTERS}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyDocumentError(`the policy document is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new PolicyDocumentError('the policy document must be a JSON object with a Statement');
  checkKeys(json, ['Version', 'Id', 'Statement'], 'the policy document');
  if (json.Version !== undefined && !(typeof json.Version === 'string' && POLICY_LANGUAGE_VERSIONS.includes(json.Version))) {
    throw new PolicyDocumentError(`Version must be "2012-10-17" (or the legacy "2008-10-17"), not ${JSON.stringify(json.Version)}`);
  }
  if (json.Id !== undefined && typeof json.Id !== 'string') throw new PolicyDocumentError('Id must be a string');
  if (json.Statement === undefined) throw new PolicyDocumentError('the policy document has no Statement');
  const rawStatements: unknown[] = Array.isArray(json.Statement) ? json.Statement : [json.Statement];
  if (rawStatements.length === 0) throw new PolicyDocumentError('Statement must hold at least one statement');
  const statements = rawStatements.map((raw, index) => parseStatement(raw, index + 1));
  const sids = new Set<string>();
  for (const statement of statements) {
    if (statement.sid === undefined) continue;
    if (sids.has(statement.sid)) throw new PolicyDocumentError(`statement ids must be unique; Sid "${statement.sid}" appears twice`);
    sids.add(statement.sid);
  }
  return { substitutesVariables: json.Version === '2012-10-17', statements };
}

function parseStatement(raw: unknown, position: number): ParsedStatement {
  const where = `statement ${position}`;
  if (!isObject(raw)) throw new PolicyDocumentError(`${where} must be a JSON object`);
  if ('Principal' in raw || 'NotPrincipal' in raw) {
    throw new PolicyDocumentError(`${where}: an AWS IoT policy applies to the principal it is attached to and cannot name a Principal`);
  }
  checkKeys(raw, ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'], where);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new PolicyDocumentError(`${where}: Sid must be a string`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw new PolicyDocumentError(`${where}: Effect must be "Allow" or "Deny" (case-sensitive), not ${JSON.stringify(raw.Effect)}`);
  }
  const actions = exactlyOne(raw, 'Action', 'NotAction', where, checkAction);
  const resources = exactlyOne(raw, 'Resource', 'NotResource', where, checkResource);
  return {
    position,
    sid: raw.Sid,
    effect: raw.Effect,
    actions: actions.element === 'Action' ? actions.values : undefined,
    notActions: actions.element === 'NotAction' ? actions.values : undefined,
    resources: resources.element === 'Resource' ? resources.values : undefined,
    notResources: resources.element === 'NotResource' ? resources.values : undefined,
    conditions: raw.Condition === undefined ? [] : parseConditions(raw.Condition, where),
  };
}

function exactlyOne(
  raw: Record<string, unknown>,
  element: string,
  notElement: string,
  where: string,
  check: (value: string, where: string) => void,
): { element: string; values: string[] } {
  const has = raw[element] !== undefined;
  const hasNot = raw[notElement] !== undefined;
  if (has && hasNot) throw new PolicyDocumentError(`${where} has both ${element} and ${notElement}; use one`);
  if (!has && !hasNot) throw new PolicyDocumentError(`${where} has no ${element} (or ${notElement})`);
  const name = has ? element : notElement;
  const values = stringList(raw[name], `${where}: ${name}`);
  values.forEach((value) => check(value, `${where}: ${name}`));
  return { element: name, values };
}

function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PolicyDocumentError(`${where} must not be an empty list`);
  for (const item of list) {
    if (typeof item !== 'string' || item === '') throw new PolicyDocumentError(`${where} must be a non-empty string or a list of them`);
  }
  return list as string[];
}

function checkAction(action: string, where: string): void {
  if (action !== '*' && !/^[A-Za-z0-9-]+:\S+$/.test(action)) {
    throw new PolicyDocumentError(`${where}: "${action}" is not an action; write "*" or "<service>:<action>", such as "iot:Publish"`);
  }
}

function checkResource(resource: string, where: string): void {
  if (resource !== '*' && !resource.startsWith('arn:')) {
    throw new PolicyDocumentError(`${where}: "${resource}" must be "*" or an ARN, such as "arn:aws:iot:<region>:<account>:topic/<name>"`);
  }
}

function parseConditions(raw: unknown, where: string): ParsedCondition[] {
  if (!isObject(raw)) throw new PolicyDocumentError(`${where}: Condition must be an object of operators`);
  const conditions: ParsedCondition[] = [];
  for (const [operator, block] of Object.entries(raw)) {
    if (parseConditionOperator(operator) === undefined) {
      throw new PolicyDocumentError(`${where}: "${operator}" is not a condition operator`);
    }
    if (!isObject(block) || Object.keys(block).length === 0) {
      throw new PolicyDocumentError(`${where}: Condition "${operator}" must map condition keys to values`);
    }
    for (const [key, value] of Object.entries(block)) {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0 || !list.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
        throw new PolicyDocumentError(`${where}: Condition "${operator}" key "${key}" must be a string, number, boolean or a list of them`);
      }
      conditions.push({ operator, key, values: list.map((item) => String(item)) });
    }
  }
  return conditions;
}

function checkKeys(object: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new PolicyDocumentError(`${where} has an unknown element "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
