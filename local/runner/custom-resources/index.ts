export * from './custom-resources';
export * from './lifecycle';
export * from './protocol';
export * from './provider-framework';
