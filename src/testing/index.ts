/**
 * `faktory-rx/testing`: test support: an in-memory, protocol-faithful Faktory server on a
 * real loopback port, and helpers for marble tests of worker behaviour.
 * @module
 */
export * from './server/index.js';
export * from './marbles/index.js';
