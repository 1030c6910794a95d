export * from './types';
export * from './cloud-assembly';
export * from './resources';
export * from './lambda-code';
export * from './intrinsics';
export * from './references';
