export * from './actions';
export * from './error-action-payload';
export * from './sql';
export * from './topic-rule-definition';
export * from './topic-rule-engine';
export * from './substitution-template';
