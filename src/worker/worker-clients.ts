import { type Observable, type SchedulerLike, catchError, defaultIfEmpty, forkJoin, map, of, timeout } from 'rxjs';
import type { JobTypes, WorkerClient } from '../streams/types.js';
import type { WorkerIdentity } from '../transport/types.js';
import type { WorkerPoolSettings } from './default-clients.js';
import type { WorkerClientFactory } from './worker-options.js';

const BEAT_POOL: WorkerPoolSettings = Object.freeze({ size: 1, maxBlockingPerConnection: 1 });

/** Where a run's clients come from. @internal */
export interface WorkerClientSources<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly client?: Client | undefined;
  readonly beatClient?: WorkerClient<Jobs> | undefined;
  readonly factory: WorkerClientFactory<Jobs, Client> | undefined;
  readonly identity: WorkerIdentity;
  readonly fetchers: number;
  readonly fetchDepth: number;
}

/**
 * The clients of one worker run: `main` (FETCH, ACK, FAIL, and `ctx.client` for pushes; pool of
 * `fetchers + 1`, `fetchDepth` FETCHes outstanding per FETCH socket) and `beat` (BEAT only; pool of 1,
 * so a heartbeat never waits behind busy sockets). Made when the run starts; the beat client can
 * be replaced to register again.
 * @internal
 */
export class WorkerClients<Jobs extends JobTypes, Client extends WorkerClient<Jobs>> {
  readonly main: Client;
  #beat: WorkerClient<Jobs>;
  readonly #sources: WorkerClientSources<Jobs, Client>;

  constructor(sources: WorkerClientSources<Jobs, Client>) {
    this.#sources = sources;
    const { client, beatClient, factory, identity, fetchers, fetchDepth } = sources;
    if (client === undefined && factory === undefined) throw new TypeError('a client or a client factory is required');
    this.main = client ?? (factory as WorkerClientFactory<Jobs, Client>)(identity, 'main', { size: fetchers + 1, maxBlockingPerConnection: fetchDepth });
    this.#beat = beatClient ?? (client !== undefined || factory === undefined ? this.main : factory(identity, 'beat', BEAT_POOL));
  }

  /** The client BEATs go to. */
  get beat(): WorkerClient<Jobs> {
    return this.#beat;
  }

  /** Whether BEAT has a client of its own. */
  get separateBeat(): boolean {
    return this.#beat !== this.main;
  }

  /**
   * Replaces a factory-made beat client by a new one (a new connection, whose HELLO registers the
   * worker again). Injected clients are kept: their pool reconnects and says HELLO by itself.
   */
  renewBeat(): void {
    const { factory, beatClient, client, identity } = this.#sources;
    if (factory === undefined || beatClient !== undefined || client !== undefined || !this.separateBeat) return;
    const old = this.#beat;
    this.#beat = factory(identity, 'beat', BEAT_POOL);
    old.destroy();
  }

  /**
   * Closes every client: gracefully (pending commands finish, then `END`), destroying one that
   * has not closed within `boundMs`; or at once when `forced`. Emits once, never errors.
   */
  close(forced: boolean, boundMs: number, scheduler: SchedulerLike): Observable<void> {
    const clients = this.separateBeat ? [this.main, this.#beat] : [this.main];
    if (forced) {
      for (const c of clients) c.destroy();
      return of(undefined);
    }
    return forkJoin(
      clients.map((c) =>
        c.close().pipe(
          defaultIfEmpty(undefined),
          timeout({ first: boundMs, scheduler }),
          catchError(() => {
            c.destroy();
            return of(undefined);
          }),
        ),
      ),
    ).pipe(map(() => undefined));
  }
}
