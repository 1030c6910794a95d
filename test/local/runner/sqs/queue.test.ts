import { createHash } from 'node:crypto';
import { queueOptions } from './support';
import { LocalQueue, ManualClock, md5OfMessageAttributes, SqsError } from '../../../../local/runner/sqs';

function setup(visibilityTimeoutSeconds?: number) {
  const clock = new ManualClock(1_000_000);
  const queue = new LocalQueue(queueOptions('q', { visibilityTimeoutSeconds }), clock);
  return { clock, queue };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof SqsError ? error.code : 'not an SqsError';
  }
  return undefined;
}

describe('LocalQueue', () => {
  test('send answers the id and the MD5 of the body; receive hands the message out with its attributes', () => {
    const { clock, queue } = setup();
    const sent = queue.send('hello');
    expect(sent.md5OfBody).toBe(createHash('md5').update('hello').digest('hex'));
    expect(sent.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    clock.advance(250);
    const [received] = queue.receive(10);
    expect(received).toMatchObject({
      messageId: sent.messageId,
      body: 'hello',
      md5OfBody: sent.md5OfBody,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1000000', ApproximateFirstReceiveTimestamp: '1000250' },
      messageAttributes: {},
    });
    expect(received.receiptHandle).toEqual(expect.any(String));
  });

  test('ids are deterministic and distinct', () => {
    const a = setup().queue;
    const b = setup().queue;
    const ids = [a.send('1').messageId, a.send('2').messageId];
    expect([b.send('1').messageId, b.send('2').messageId]).toEqual(ids);
    expect(ids[0]).not.toBe(ids[1]);
  });

  test('receive honours max and keeps send order', () => {
    const { queue } = setup();
    for (let i = 0; i < 15; i++) queue.send(`m${i}`);
    expect(queue.receive(10).map((m) => m.body)).toEqual([...Array(10).keys()].map((i) => `m${i}`));
    expect(queue.receive(10).map((m) => m.body)).toEqual(['m10', 'm11', 'm12', 'm13', 'm14']);
    expect(queue.receive(10)).toEqual([]);
  });

  test('a received message is hidden for the visibility timeout, then comes back with a higher receive count', () => {
    const { clock, queue } = setup(30);
    queue.send('x');
    const first = queue.receive(1)[0];
    expect(queue.approximateNumberOfMessages()).toBe(0);
    expect(queue.approximateNumberOfMessagesNotVisible()).toBe(1);
    expect(queue.nextVisibleAt()).toBe(1_000_000 + 30_000);
    clock.advance(29_999);
    expect(queue.receive(1)).toEqual([]);
    clock.advance(1);
    const second = queue.receive(1)[0];
    expect(second.attributes.ApproximateReceiveCount).toBe('2');
    expect(second.attributes.ApproximateFirstReceiveTimestamp).toBe(first.attributes.ApproximateFirstReceiveTimestamp);
    expect(second.receiptHandle).not.toBe(first.receiptHandle);
  });

  test('receive can override the visibility timeout', () => {
    const { clock, queue } = setup(30);
    queue.send('x');
    queue.receive(1, 5);
    clock.advance(5_000);
    expect(queue.receive(1)).toHaveLength(1);
  });

  test('delete removes the message; a stale handle is ignored; a forged one is refused', () => {
    const { clock, queue } = setup(1);
    queue.send('x');
    const first = queue.receive(1)[0];
    clock.advance(1_000);
    const second = queue.receive(1)[0];
    queue.delete(first.receiptHandle);
    expect(queue.approximateNumberOfMessagesNotVisible()).toBe(1);
    queue.delete(second.receiptHandle);
    expect(queue.approximateNumberOfMessagesNotVisible()).toBe(0);
    expect(queue.approximateNumberOfMessages()).toBe(0);
    // The message is gone: its handles are still accepted, as SQS accepts them.
    expect(() => queue.delete(second.receiptHandle)).not.toThrow();
    expect(codeOf(() => queue.delete('forged'))).toBe('ReceiptHandleIsInvalid');
  });

  test('changeVisibility hides longer, or shows at once with 0; only in flight', () => {
    const { clock, queue } = setup(30);
    queue.send('x');
    const { receiptHandle } = queue.receive(1)[0];
    queue.changeVisibility(receiptHandle, 120);
    clock.advance(60_000);
    expect(queue.receive(1)).toEqual([]);
    const notified = jest.fn();
    queue.onAvailable(notified);
    queue.changeVisibility(receiptHandle, 0);
    expect(notified).toHaveBeenCalledTimes(1);
    expect(codeOf(() => queue.changeVisibility(receiptHandle, 10))).toBe('MessageNotInflight');
    expect(codeOf(() => queue.changeVisibility(receiptHandle, 43_201))).toBe('InvalidParameterValue');
    const again = queue.receive(1)[0];
    expect(again.attributes.ApproximateReceiveCount).toBe('2');
    expect(codeOf(() => queue.changeVisibility(receiptHandle, 10))).toBe('MessageNotInflight');
  });

  test('messages older than the retention period are dropped', () => {
    const clock = new ManualClock(0);
    const queue = new LocalQueue(queueOptions('q', { messageRetentionSeconds: 60 }), clock);
    queue.send('old');
    clock.advance(30_000);
    queue.send('new');
    clock.advance(30_000);
    expect(queue.approximateNumberOfMessages()).toBe(1);
    expect(queue.receive(10).map((m) => m.body)).toEqual(['new']);
  });

  test('message attributes are kept and digested as SQS does', () => {
    const { queue } = setup();
    const attributes = {
      kind: { DataType: 'String', StringValue: 'registered' },
      blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3]) },
    };
    const sent = queue.send('x', attributes);
    // Expected digest built by hand from the documented encoding, names in order (blob, kind).
    const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
    const expected = createHash('md5').update(Buffer.concat([
      field(Buffer.from('blob')), field(Buffer.from('Binary')), Buffer.from([2]), field(Buffer.from([1, 2, 3])),
      field(Buffer.from('kind')), field(Buffer.from('String')), Buffer.from([1]), field(Buffer.from('registered')),
    ])).digest('hex');
    expect(sent.md5OfMessageAttributes).toBe(expected);
    expect(md5OfMessageAttributes({})).toBeUndefined();
    expect(queue.receive(1)[0].messageAttributes).toEqual(attributes);
  });

  test('parameters are validated as SQS validates them', () => {
    const { queue } = setup();
    expect(codeOf(() => queue.send(''))).toBe('InvalidParameterValue');
    expect(codeOf(() => queue.receive(0))).toBe('InvalidParameterValue');
    expect(codeOf(() => queue.receive(11))).toBe('InvalidParameterValue');
    expect(codeOf(() => queue.receive(1.5))).toBe('InvalidParameterValue');
    expect(codeOf(() => queue.receive(1, -1))).toBe('InvalidParameterValue');
    expect(codeOf(() => new LocalQueue(queueOptions('q', { visibilityTimeoutSeconds: 43_201 })))).toBe('InvalidParameterValue');
    expect(codeOf(() => new LocalQueue(queueOptions('q', { messageRetentionSeconds: 59 })))).toBe('InvalidParameterValue');
    expect(codeOf(() => new LocalQueue({ ...queueOptions('q'), name: '' }))).toBe('InvalidParameterValue');
    expect(codeOf(() => new LocalQueue({ ...queueOptions('q'), fifo: true as unknown as false }))).toBe('UnsupportedOperation');
    expect(codeOf(() => new LocalQueue(queueOptions('q', { deadLetter: { targetArn: 'arn:x', maxReceiveCount: 0 } })))).toBe('InvalidParameterValue');
    const self = queueOptions('q');
    expect(codeOf(() => new LocalQueue({ ...self, deadLetter: { targetArn: self.arn, maxReceiveCount: 3 } }))).toBe('InvalidParameterValue');
    expect(new LocalQueue(queueOptions('q')).visibilityTimeoutSeconds).toBe(30);
  });
});
