export * from './action-outcome';
export * from './lambda-action';
export * from './run-action';
export * from './s3-action';
export * from './sqs-action';
