/**
 * `npm start`: the faktory-rx demo. The full demo (an embedded in-memory Faktory, 20,000 jobs
 * pushed with `pushJobs` and processed by a worker, live progress and a summary) arrives with
 * the worker; until then this says what is there and what is coming.
 */
const lines = [
  'faktory-rx demo',
  '',
  'Available now: the RESP codec (RespDecoder, encodeCommand) and the typed errors.',
  'Coming next: the in-memory Faktory server, the pooled transport, the client, the worker,',
  'and this demo: an embedded server (or FAKTORY_URL), 20,000 jobs pushed and processed with',
  'live progress and a summary table.',
  '',
  'Run the test suite with: npm test',
];
console.log(lines.join('\n'));
