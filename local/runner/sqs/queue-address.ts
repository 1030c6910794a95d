/**
 * Which queue a request means. SQS requests name a queue by URL (or, for GetQueueUrl, by name); the
 * SDK may have rewritten the URL's host to the configured endpoint, and a user may hold the URL
 * GetQueueUrl answered on the local endpoint, so a URL is matched exactly first and else by its last
 * two path segments, `<account>/<name>`, as SQS itself only reads those.
 */
import type { LocalQueue } from './queue';
import type { LocalQueues } from './queues';

/** A queue named by a request: the ARN to authorize against, and the queue when it exists. */
export interface QueueTarget {
  readonly arn: string;
  readonly queue?: LocalQueue;
}

/** The account and name parts of a queue ARN (arn:aws:sqs:<region>:<account>:<name>). */
function arnParts(arn: string): { account: string; name: string } {
  const parts = arn.split(':');
  return { account: parts[4] ?? '', name: parts.slice(5).join(':') };
}

export class QueueAddresses {
  constructor(private readonly queues: LocalQueues, private readonly region: string, private readonly accountId: string) {}

  /** undefined when the URL does not even have `<account>/<name>` at its end (InvalidAddress). */
  byUrl(url: string): QueueTarget | undefined {
    const exact = this.queues.byUrl(url);
    if (exact) return { arn: exact.arn, queue: exact };
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      // SQS also takes a bare `/<account>/<name>` path.
      path = url.split('?')[0];
    }
    const segments = path.split('/').filter(Boolean).map((segment) => decodeURIComponent(segment));
    if (segments.length < 2) return undefined;
    const [account, name] = segments.slice(-2);
    return this.byName(name, account);
  }

  byName(name: string, account: string = this.accountId): QueueTarget {
    const queue = this.queues.list().find((candidate) => {
      const parts = arnParts(candidate.arn);
      return parts.name === name && parts.account === account;
    });
    return queue ? { arn: queue.arn, queue } : { arn: `arn:aws:sqs:${this.region}:${account}:${name}` };
  }

  /**
   * The URL to hand back for a queue: on the endpoint the caller reached (its Host header). The SDK sends
   * a request to its QueueUrl's host unless it equals the endpoint, so a URL on AWS's host would leave the
   * local cloud.
   */
  urlFor(queue: LocalQueue, host: string | undefined): string {
    if (!host) return queue.url;
    const { account, name } = arnParts(queue.arn);
    return `http://${host}/${account}/${encodeURIComponent(name)}`;
  }

  /** The account's queues, for ListQueues. */
  list(): LocalQueue[] {
    return this.queues.list().filter((queue) => arnParts(queue.arn).account === this.accountId);
  }

  /** The resource ListQueues is authorized on. */
  get accountQueuesArn(): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:*`;
  }
}
