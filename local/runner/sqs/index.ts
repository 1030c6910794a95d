export * from './batch-response';
export * from './clock';
export * from './digest';
export * from './errors';
export * from './poller';
export * from './queue';
export * from './queues';
export * from './sqs-event';
