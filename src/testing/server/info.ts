import type { ServerContext } from './context.js';
import { formatTime } from './time-format.js';

/** The process's resident memory in MiB, read at most once a second (reading it is a syscall). */
let memory = { mb: 0, readAtMs: -Infinity };
function usedMemoryMb(): number {
  const now = Date.now();
  if (now - memory.readAtMs >= 1_000) memory = { mb: Math.round(process.memoryUsage.rss() / (1024 * 1024)), readAtMs: now };
  return memory.mb;
}

/** The version this server reports in INFO. */
export const FAKTORY_VERSION = '1.9.3';

/**
 * The INFO document, shaped like the real server's (Go sorts map keys, so do we):
 * `{faktory: {queues, sets, tasks, total_enqueued, total_failures, total_processed, total_queues},
 * now, server: {command_count, connections, description, faktory_version, uptime, used_memory_mb},
 * server_utc_time}`. The `tasks` entries are our reading of the real task runner's statistics.
 */
export function buildInfo(server: ServerContext): Record<string, unknown> {
  const { store, clock, counters } = server;
  const now = clock.now();
  const queues: Record<string, number> = {};
  let enqueued = 0;
  for (const [name, size] of [...store.queueSizes()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    queues[name] = size;
    enqueued += size;
  }
  const tasks: Record<string, Record<string, number>> = {};
  for (const name of [...counters.taskRuns.keys()].sort()) {
    tasks[name] = { runs: counters.taskRuns.get(name) ?? 0 };
  }
  return {
    faktory: {
      queues,
      sets: { dead: store.dead.size, retries: store.retries.size, scheduled: store.scheduled.size, working: store.workingCount },
      tasks,
      total_enqueued: enqueued,
      total_failures: store.failures,
      total_processed: store.processed,
      total_queues: Object.keys(queues).length,
    },
    now: formatTime(now),
    server: {
      command_count: counters.commands,
      connections: counters.connections,
      description: 'Faktory (faktory-rx in-memory test server)',
      faktory_version: FAKTORY_VERSION,
      uptime: Math.floor((now - server.startedAtMs) / 1000),
      used_memory_mb: usedMemoryMb(),
    },
    server_utc_time: new Date(now).toISOString().slice(11, 19) + ' UTC',
  };
}
