import { readBatchResponse } from '../../../../local/runner/sqs';

const ids = ['m1', 'm2', 'm3'];

describe('readBatchResponse (ReportBatchItemFailures)', () => {
  test.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('%s is a complete success', (_label, response) => {
    expect(readBatchResponse(response, ids)).toEqual({ kind: 'success' });
  });

  test('listed identifiers are the failed records', () => {
    expect(readBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] }, ids))
      .toEqual({ kind: 'partial', failed: new Set(['m2', 'm3']) });
  });

  test.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a wrong key name', { batchItemFailures: [{ itemId: 'm1' }] }],
    ['an identifier not in the batch', { batchItemFailures: [{ itemIdentifier: 'other' }] }],
    ['a non-string identifier', { batchItemFailures: [{ itemIdentifier: 7 }] }],
    ['a non-object item', { batchItemFailures: ['m1'] }],
    ['a list that is not a list', { batchItemFailures: 'm1' }],
    ['a response that is not an object', 'ok'],
    ['an array response', [{ itemIdentifier: 'm1' }]],
    ['an unserializable response', { batchItemFailures: [{ itemIdentifier: 1n }] }],
  ])('%s is a complete failure', (_label, response) => {
    expect(readBatchResponse(response, ids).kind).toBe('failure');
  });
});
