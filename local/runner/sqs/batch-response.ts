/** How Lambda reads a function's answer when ReportBatchItemFailures is on. */
export type BatchVerdict =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failed: ReadonlySet<string> }
  | { readonly kind: 'failure'; readonly reason: string };

/**
 * Complete success: a null or empty response, or a null or empty batchItemFailures list.
 * Complete failure: a response that is not a JSON object, a batchItemFailures that is not a
 * list, or an item whose itemIdentifier is missing, empty, not a string or not in the batch.
 */
export function readBatchResponse(response: unknown, batchMessageIds: readonly string[]): BatchVerdict {
  let wire: unknown;
  try {
    // The answer crosses the wire as JSON: what does not survive serialization is not there.
    const json = JSON.stringify(response);
    wire = json === undefined ? null : JSON.parse(json);
  } catch {
    return { kind: 'failure', reason: 'the response is not serializable as JSON' };
  }
  if (wire === null) return { kind: 'success' };
  if (typeof wire !== 'object' || Array.isArray(wire)) return { kind: 'failure', reason: 'the response is not a JSON object' };
  const items = (wire as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return { kind: 'success' };
  if (!Array.isArray(items)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (items.length === 0) return { kind: 'success' };
  const inBatch = new Set(batchMessageIds);
  const failed = new Set<string>();
  for (const item of items) {
    const identifier = typeof item === 'object' && item !== null ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return { kind: 'failure', reason: 'an item has a missing or empty itemIdentifier' };
    }
    if (!inBatch.has(identifier)) return { kind: 'failure', reason: `itemIdentifier ${identifier} is not in the batch` };
    failed.add(identifier);
  }
  return { kind: 'partial', failed };
}
