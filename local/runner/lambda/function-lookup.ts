/**
 * Lambda's FunctionName parameter: a name (`my-function`), a full ARN
 * (`arn:aws:lambda:us-east-1:123456789012:function:my-function`) or a partial ARN
 * (`123456789012:function:my-function`), any of them with a `:qualifier` suffix.
 */
export interface FunctionReference {
  readonly name: string;
  readonly qualifier?: string;
  readonly accountId?: string;
  readonly region?: string;
}

const FULL_ARN = /^arn:[\w-]+:lambda:([\w-]+):(\d{12}):function:([\w-]+)(?::([\w$-]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([\w-]+)(?::([\w$-]+))?$/;
const NAME = /^([\w-]+)(?::([\w$-]+))?$/;

/** Reads a FunctionName parameter; undefined when it is none of the forms Lambda accepts. */
export function parseFunctionReference(functionNameOrArn: string): FunctionReference | undefined {
  const full = FULL_ARN.exec(functionNameOrArn);
  if (full) {
    return { region: full[1], accountId: full[2], name: full[3], qualifier: full[4] };
  }
  const partial = PARTIAL_ARN.exec(functionNameOrArn);
  if (partial) {
    return { accountId: partial[1], name: partial[2], qualifier: partial[3] };
  }
  const plain = NAME.exec(functionNameOrArn);
  return plain ? { name: plain[1], qualifier: plain[2] } : undefined;
}

/** The ARN Lambda names in `Function not found: ...`, qualifier included. */
export function functionArnFor(reference: FunctionReference, defaults: { readonly region: string; readonly accountId: string }): string {
  const arn = `arn:aws:lambda:${reference.region ?? defaults.region}:${reference.accountId ?? defaults.accountId}:function:${reference.name}`;
  return reference.qualifier !== undefined ? `${arn}:${reference.qualifier}` : arn;
}

/** Region and account of a function ARN. */
export function arnParts(functionArn: string): { readonly region: string; readonly accountId: string } {
  const parts = functionArn.split(':');
  return { region: parts[3] ?? '', accountId: parts[4] ?? '' };
}

/**
 * Whether a reference names a function: same name, same region and account when the reference
 * gives them, and no qualifier but `$LATEST` (local functions have no published versions or aliases).
 */
export function referenceMatches(reference: FunctionReference, functionName: string, functionArn: string): boolean {
  if (reference.name !== functionName || (reference.qualifier !== undefined && reference.qualifier !== '$LATEST')) {
    return false;
  }
  const { region, accountId } = arnParts(functionArn);
  return (reference.region === undefined || reference.region === region) && (reference.accountId === undefined || reference.accountId === accountId);
}
