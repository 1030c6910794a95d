import { Clock, systemClock } from './clock';
import { md5Hex, md5OfMessageAttributes, MessageAttributeValue } from './digest';
import { requireInteger, SqsError } from './errors';
import { messageIdFor, receiptHandleFor } from './ids';

export interface QueueOptions {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  /** Seconds a received message stays hidden; 0..43200, default 30. */
  readonly visibilityTimeoutSeconds?: number;
  /** Seconds a message is kept from when it was sent; 60..1209600, default 345600 (4 days). */
  readonly messageRetentionSeconds?: number;
  /** Redrive policy: after maxReceiveCount receives, the next receive moves the message to the target. */
  readonly deadLetter?: { readonly targetArn: string; readonly maxReceiveCount: number };
  /** FIFO queues are not modelled. */
  readonly fifo?: false;
}

export interface SentMessage {
  readonly messageId: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
}

/** A message as ReceiveMessage returns it (system attributes as strings, like the API). */
export interface Received {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    readonly ApproximateFirstReceiveTimestamp: string;
  };
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** What a dead-letter queue is handed when a message is redriven to it. */
export interface RedrivenMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly sentTimestamp: number;
  readonly sourceArn: string;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  visibleAt: number;
  /** The handle of the latest receive; only it deletes or changes visibility. */
  receiptHandle?: string;
  readonly handles: string[];
}

const DEFAULT_VISIBILITY_SECONDS = 30;
const DEFAULT_RETENTION_SECONDS = 345_600;

/** Finds a queue by ARN; how a queue reaches its dead-letter queue. */
export type QueueResolver = (arn: string) => LocalQueue | undefined;

/** One standard SQS queue, in memory: visibility timeouts, receive counts, retention, redrive. */
export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly deadLetter?: { readonly targetArn: string; readonly maxReceiveCount: number };

  private readonly messages = new Map<string, StoredMessage>();
  /**
   * The messages received and maybe still hidden (in flight): a few batches, where the queue may hold thousands, so
   * counting and finding the next to reappear need not look at every message (the poller asks on every change).
   * Entries whose visibility timeout has passed are dropped as they are found.
   */
  private readonly received = new Set<StoredMessage>();
  /** No stored message was sent before this (a lower bound): retention has nothing to drop until it is that old. */
  private oldestSentAtMost = Infinity;
  /** Every receipt handle still tied to a stored message, to its message id. */
  private readonly handles = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private sent = 0;
  private receives = 0;

  constructor(options: QueueOptions, private readonly clock: Clock = systemClock, private readonly resolve: QueueResolver = () => undefined) {
    if (options.fifo) throw new SqsError('UnsupportedOperation', 'FIFO queues are not modelled');
    if (!options.name) throw new SqsError('InvalidParameterValue', 'a queue needs a name');
    this.name = options.name;
    this.arn = options.arn;
    this.url = options.url;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_SECONDS;
    requireInteger('VisibilityTimeout', this.visibilityTimeoutSeconds, 0, 43_200);
    this.messageRetentionSeconds = options.messageRetentionSeconds ?? DEFAULT_RETENTION_SECONDS;
    requireInteger('MessageRetentionPeriod', this.messageRetentionSeconds, 60, 1_209_600);
    if (options.deadLetter) {
      requireInteger('maxReceiveCount', options.deadLetter.maxReceiveCount, 1, 1000);
      if (options.deadLetter.targetArn === options.arn) {
        throw new SqsError('InvalidParameterValue', `queue ${options.name} cannot be its own dead-letter queue`);
      }
      this.deadLetter = { ...options.deadLetter };
    }
  }

  send(body: string, attributes: Readonly<Record<string, MessageAttributeValue>> = {}): SentMessage {
    if (typeof body !== 'string' || body.length === 0) {
      throw new SqsError('InvalidParameterValue', 'the message body must be a non-empty string');
    }
    const messageId = messageIdFor(this.arn, this.sent++);
    const stored = this.store({ messageId, body, messageAttributes: { ...attributes }, sentTimestamp: this.clock.now() });
    this.notify();
    return { messageId, md5OfBody: stored.md5OfBody, md5OfMessageAttributes: stored.md5OfMessageAttributes };
  }

  /**
   * Receives up to `max` visible messages (1..10), hiding them for the visibility timeout.
   * A message already received maxReceiveCount times moves to the dead-letter queue instead.
   */
  receive(max: number, visibilityTimeoutSeconds: number = this.visibilityTimeoutSeconds): Received[] {
    requireInteger('MaxNumberOfMessages', max, 1, 10);
    requireInteger('VisibilityTimeout', visibilityTimeoutSeconds, 0, 43_200);
    this.expire();
    const now = this.clock.now();
    const received: Received[] = [];
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (this.redrive(message)) continue;
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibilityTimeoutSeconds * 1000;
      this.received.add(message);
      const receiptHandle = receiptHandleFor(message.messageId, this.receives++);
      message.receiptHandle = receiptHandle;
      message.handles.push(receiptHandle);
      this.handles.set(receiptHandle, message.messageId);
      received.push({
        messageId: message.messageId,
        receiptHandle,
        body: message.body,
        md5OfBody: message.md5OfBody,
        md5OfMessageAttributes: message.md5OfMessageAttributes,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentTimestamp),
          ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
        },
        messageAttributes: message.messageAttributes,
      });
    }
    return received;
  }

  /**
   * Deletes the message of the latest receive. A handle from an earlier receive of a message
   * received again since is ignored (SQS does not promise to honour it); a handle never issued
   * throws ReceiptHandleIsInvalid.
   */
  delete(receiptHandle: string): void {
    const message = this.byHandle(receiptHandle);
    if (message && message.receiptHandle === receiptHandle) this.remove(message);
  }

  /** Changes how long a received message stays hidden, counted from now (0..43200 s; 0 shows it at once). */
  changeVisibility(receiptHandle: string, seconds: number): void {
    requireInteger('VisibilityTimeout', seconds, 0, 43_200);
    const message = this.byHandle(receiptHandle);
    const now = this.clock.now();
    if (!message || message.receiptHandle !== receiptHandle || message.visibleAt <= now) {
      throw new SqsError('MessageNotInflight', 'the message is not in flight for this receipt handle');
    }
    message.visibleAt = now + seconds * 1000;
    if (seconds === 0) this.notify();
  }

  /** Messages available for receipt (including those a receive would redrive). */
  approximateNumberOfMessages(): number {
    this.expire();
    return this.messages.size - this.hiddenCount();
  }

  /** Messages received and still hidden. */
  approximateNumberOfMessagesNotVisible(): number {
    this.expire();
    return this.hiddenCount();
  }

  /** When the next hidden message becomes visible again, if any is hidden. */
  nextVisibleAt(): number | undefined {
    const now = this.clock.now();
    let next: number | undefined;
    for (const message of this.received) {
      if (message.visibleAt <= now) this.received.delete(message);
      else if (next === undefined || message.visibleAt < next) next = message.visibleAt;
    }
    return next;
  }

  /** Calls `listener` whenever messages become available other than by time passing; returns the unsubscribe. */
  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Takes a message redriven from a source queue: same id and sent time, receive count reset. */
  acceptRedriven(message: RedrivenMessage): void {
    this.store(message);
    this.notify();
  }

  private store(message: Omit<RedrivenMessage, 'sourceArn'>): StoredMessage {
    const stored: StoredMessage = {
      ...message,
      md5OfBody: md5Hex(message.body),
      md5OfMessageAttributes: md5OfMessageAttributes(message.messageAttributes),
      receiveCount: 0,
      visibleAt: this.clock.now(),
      handles: [],
    };
    this.messages.set(message.messageId, stored);
    this.oldestSentAtMost = Math.min(this.oldestSentAtMost, stored.sentTimestamp);
    return stored;
  }

  private redrive(message: StoredMessage): boolean {
    if (!this.deadLetter || message.receiveCount < this.deadLetter.maxReceiveCount) return false;
    const target = this.resolve(this.deadLetter.targetArn);
    // A missing dead-letter queue keeps the message here rather than losing it.
    if (!target) return false;
    this.remove(message);
    target.acceptRedriven({
      messageId: message.messageId,
      body: message.body,
      messageAttributes: message.messageAttributes,
      sentTimestamp: message.sentTimestamp,
      sourceArn: this.arn,
    });
    return true;
  }

  private byHandle(receiptHandle: string): StoredMessage | undefined {
    const messageId = this.handles.get(receiptHandle);
    if (messageId === undefined) {
      if (this.issuedHere(receiptHandle)) return undefined;
      throw new SqsError('ReceiptHandleIsInvalid', `the receipt handle ${JSON.stringify(receiptHandle)} is not valid`);
    }
    return this.messages.get(messageId);
  }

  /** A well-formed handle whose message is gone (deleted, expired or redriven): accepted, as SQS does. */
  private issuedHere(receiptHandle: string): boolean {
    const decoded = Buffer.from(receiptHandle, 'base64').toString('utf8').split('#');
    return decoded.length === 3 && decoded[2] === 'local-sqs' && Number(decoded[1]) < this.receives;
  }

  private remove(message: StoredMessage): void {
    this.messages.delete(message.messageId);
    this.received.delete(message);
    for (const handle of message.handles) this.handles.delete(handle);
  }

  /** Hidden messages, dropping from `received` those visible again. */
  private hiddenCount(): number {
    const now = this.clock.now();
    for (const message of this.received) {
      if (message.visibleAt <= now) this.received.delete(message);
    }
    return this.received.size;
  }

  private expire(): void {
    const oldest = this.clock.now() - this.messageRetentionSeconds * 1000;
    if (this.oldestSentAtMost > oldest) return; // nothing is that old
    this.oldestSentAtMost = Infinity;
    for (const message of this.messages.values()) {
      if (message.sentTimestamp <= oldest) this.remove(message);
      else this.oldestSentAtMost = Math.min(this.oldestSentAtMost, message.sentTimestamp);
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
