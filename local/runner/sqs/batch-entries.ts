/**
 * The batch operations' shared rules: 1 to 10 entries with distinct, well-formed ids, refused as a
 * whole when broken; otherwise each entry succeeds or fails on its own, into Successful / Failed.
 */
import { asSqsApiError, sqsApiError } from './api-errors';
import { Json, objectList } from './request-fields';

const MAX_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The request's `Entries`, checked as a whole. */
export function batchEntries(input: Json): Json[] {
  const entries = objectList(input, 'Entries');
  if (entries.length === 0) throw sqsApiError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > MAX_ENTRIES) {
    throw sqsApiError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_ENTRIES}. You have sent ${entries.length}.`);
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !ENTRY_ID.test(id)) {
      throw sqsApiError('InvalidBatchEntryId', `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got ${JSON.stringify(id)}.`);
    }
    if (seen.has(id)) throw sqsApiError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries;
}

/** Runs every entry; an entry's error becomes its Failed item (SenderFault as the error's fault). */
export function runEntries(entries: readonly Json[], run: (entry: Json) => Json): Json {
  const successful: Json[] = [];
  const failed: Json[] = [];
  for (const entry of entries) {
    try {
      successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      const apiError = asSqsApiError(error);
      failed.push({ Id: entry.Id, SenderFault: apiError.fault === 'Sender', Code: apiError.code, Message: apiError.message });
    }
  }
  return { Successful: successful, Failed: failed };
}
