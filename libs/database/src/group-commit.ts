interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Group commit: items added while one batch is being written queue up and go into the next
 * batch together, so N concurrent callers cost about one transaction rather than N, and a lone
 * caller waits for no timer (items added in the same turn of the event loop join one batch).
 * `write` returns one result per item, in order; if it throws, every caller of the batch gets
 * the error.
 */
export class GroupCommit<T, R> {
  private queue: Waiting<T, R>[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly onError: (err: unknown, items: number) => void = () => undefined,
  ) {}

  add(item: T): Promise<R> {
    const done = new Promise<R>((resolve, reject) => this.queue.push({ item, resolve, reject }));
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
    return done;
  }

  /** Resolves when everything added so far is written (or has failed). */
  async settled(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]));
      } catch (err) {
        this.onError(err, batch.length);
        batch.forEach((w) => w.reject(err));
      }
    }
    this.draining = undefined;
  }
}
