import { firstValueFrom, lastValueFrom, type Observable } from 'rxjs';

/** The first value; rejects if the Observable errors or completes empty. */
export function first<T>(value$: Observable<T>): Promise<T> {
  // eslint-disable-next-line rxjs-x/no-ignored-default-value -- completing empty must fail the test
  return firstValueFrom(value$);
}

/** Settles when the Observable completes; rejects if it errors. */
export function done(value$: Observable<unknown>): Promise<void> {
  return lastValueFrom(value$, { defaultValue: undefined }).then(() => undefined);
}
