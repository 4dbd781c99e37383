import type { ServerContext } from './context.js';
import { formatTime } from './time-format.js';

/** The process's resident memory in MiB, read at most once a second (reading it is a syscall). */
let memory = { mb: 0, readAtMs: -Infinity };
function usedMemoryMb(): number {
  const now = Date.now();
  if (now - memory.readAtMs >= 1_000) memory = { mb: Math.round(process.memoryUsage.rss() / (1024 * 1024)), readAtMs: now };
  return memory.mb;
}

/** The version this server reports in INFO: the Faktory it answers as. */
export const FAKTORY_VERSION = '1.9.4';

/**
 * The INFO document, in the Go structs' key order (maps sorted): `{now, server_utc_time,
 * faktory: {queues, sets, tasks, total_failures, total_processed, total_enqueued, total_queues},
 * server: {description, faktory_version, uptime, connections, command_count, used_memory_mb}}`.
 * `tasks` holds the periodic tasks' statistics as the real task runner reports them: `Busy`
 * (the reservation reaper) and `Workers` (the heartbeat reaper) as `{reaped, size}`, and
 * `Scheduled`, `Retries`, `Dead` (the 5 s tick) as `{cycles, enqueued, size, wall_time_sec}`.
 * `total_processed` counts ACKs and FAILs (expired reservations included), as the real server's
 * history does; `total_failures` counts the FAILs.
 */
export function buildInfo(server: ServerContext): Record<string, unknown> {
  const { store, clock, counters, workers } = server;
  const now = clock.now();
  const queues: Record<string, number> = {};
  let enqueued = 0;
  for (const [name, size] of [...store.queueSizes()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    queues[name] = size;
    enqueued += size;
  }
  const tick = counters.tasks.get('tick') ?? { cycles: 0, wallMs: 0 };
  const scheduler = (moved: number, size: number): Record<string, number> => ({ cycles: tick.cycles, enqueued: moved, size, wall_time_sec: tick.wallMs / 1000 });
  return {
    now: formatTime(now),
    server_utc_time: new Date(now).toISOString().slice(11, 19) + ' UTC',
    faktory: {
      queues,
      sets: { dead: store.dead.size, retries: store.retries.size, scheduled: store.scheduled.size, working: store.workingCount },
      tasks: {
        Busy: { reaped: store.stats.reservationsReaped, size: store.workingCount },
        Dead: scheduler(store.stats.deadExpired, store.dead.size),
        Retries: scheduler(store.stats.retriesEnqueued, store.retries.size),
        Scheduled: scheduler(store.stats.scheduledEnqueued, store.scheduled.size),
        Workers: { reaped: counters.workersReaped, size: workers.size },
      },
      total_failures: store.failures,
      total_processed: store.processed + store.failures,
      total_enqueued: enqueued,
      total_queues: Object.keys(queues).length,
    },
    server: {
      description: 'Faktory',
      faktory_version: FAKTORY_VERSION,
      uptime: Math.floor((now - server.startedAtMs) / 1000),
      connections: counters.connections,
      command_count: counters.commands,
      used_memory_mb: usedMemoryMb(),
    },
  };
}
