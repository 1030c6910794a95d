export * from './ast';
export * from './errors';
export * from './evaluator';
export * from './parser';
export { tokenize } from './tokenizer';
export type { Token, TokenType } from './tokenizer';
