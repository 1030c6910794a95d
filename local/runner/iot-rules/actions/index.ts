export * from './action-outcome';
export * from './lambda-action';
export * from './run-action';
export * from './sqs-action';
