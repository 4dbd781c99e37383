import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prometheusText } from './prometheus-text.js';
import { type WorkerHealthOptions, workerHealth } from './worker-health.js';
import type { WorkerMetricsSnapshot } from './worker-metrics.js';

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions extends WorkerHealthOptions {
  /** Where the numbers come from, e.g. `() => worker.metrics()`. */
  readonly metrics: () => WorkerMetricsSnapshot;
  /** The port to listen on; 0 picks a free one. */
  readonly port: number;
  /** The address to listen on. @defaultValue `'0.0.0.0'` */
  readonly host?: string;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves a worker's numbers over HTTP (node:http only): `GET /metrics` in the Prometheus text
 * format, `GET /healthz` 200 or 503 with a JSON body `{ ready, live, reasons, state }` (503 when
 * not ready or not live), `GET /livez` 200 or 503 on liveness alone. Anything else is 404.
 *
 * @example
 * const server = await startMetricsServer({ port: 9464, metrics: () => worker.metrics() });
 * // ... later
 * await server.close();
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    try {
      answer(request.method, request.url, response);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error instanceof Error ? error.message : String(error)}\n`);
    }
  });
  function answer(method: string | undefined, url: string | undefined, response: ServerResponse): void {
    const path = (url ?? '/').split('?')[0];
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(prometheusText(options.metrics()));
      return;
    }
    if (path === '/healthz' || path === '/livez') {
      const snapshot = options.metrics();
      const health = workerHealth(snapshot, options);
      const ok = path === '/livez' ? health.live : health.ready && health.live;
      const body = JSON.stringify({ ...health, state: snapshot.state });
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(body);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      // A later server error (e.g. out of file descriptors) is not worth a crash of the worker.
      server.on('error', () => undefined);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
