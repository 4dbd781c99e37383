/**
 * `faktory-rx/testing`: test support (an in-memory Faktory server and marble helpers).
 * @module
 */
export {};
