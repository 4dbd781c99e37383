/**
 * Which queues a worker fetches from, in what order:
 * - an array: strict priority, the same order for every FETCH;
 * - a `{ name: weight }` map: for every FETCH, queues are drawn one after another with
 *   probability proportional to their weight (so a queue of weight 3 comes first three times as
 *   often as one of weight 1), and the FETCH lists them in that order;
 * - a function: called for every FETCH, returning the order to use.
 */
export type QueueSelection = readonly string[] | Readonly<Record<string, number>> | (() => readonly string[]);

/**
 * Turns a {@link QueueSelection} into a function giving the queue order of the next FETCH.
 * `random` returns numbers in [0, 1).
 */
export function queueOrder(selection: QueueSelection, random: () => number): () => readonly string[] {
  if (typeof selection === 'function') return selection;
  if (Array.isArray(selection)) {
    const fixed = Object.freeze([...(selection as readonly string[])]);
    return () => fixed;
  }
  const entries = Object.entries(selection as Readonly<Record<string, number>>);
  return () => weightedOrder(entries, random);
}

function weightedOrder(entries: readonly (readonly [string, number])[], random: () => number): string[] {
  const left = [...entries];
  const order: string[] = [];
  let total = left.reduce((sum, [, weight]) => sum + weight, 0);
  while (left.length > 0) {
    let pick = random() * total;
    let index = 0;
    for (; index < left.length - 1; index++) {
      const weight = (left[index] as readonly [string, number])[1];
      if (pick < weight) break;
      pick -= weight;
    }
    const [name, weight] = left.splice(index, 1)[0] as readonly [string, number];
    order.push(name);
    total -= weight;
  }
  return order;
}
