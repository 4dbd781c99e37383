import type { Observable } from 'rxjs';

/** The first value of `source`, rejecting with its error, or when it completes empty. */
export function firstOf<T>(source: Observable<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const subscription = source.subscribe({
      next: (value) => {
        resolve(value);
        queueMicrotask(() => { subscription.unsubscribe(); });
      },
      error: reject,
      complete: () => { reject(new Error('completed without a value')); },
    });
  });
}
