export * from './errors.js';
export * from './codec/index.js';
export * from './transport/index.js';
export * from './streams/index.js';
export * from './worker/index.js';
