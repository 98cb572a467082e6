interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export interface GroupCommitOptions<T, R> {
  /** Told when a batch's write fails (before its items are written one by one, with `writeOne`). */
  onError?: (err: unknown, items: number) => void;
  /**
   * Writes one item on its own. Given it, a batch of one is written this way, and when a batch
   * fails (one bad row fails a whole statement, as does a deadlock with another writer) each of
   * its items is written again on its own: only the callers whose own write fails get an error.
   */
  writeOne?: (item: T) => Promise<R>;
  /**
   * Those single writes run one after another in the order the items were added (the audit
   * hash chain links each to the one before), rather than all at once.
   */
  inOrder?: boolean;
}

/**
 * Group commit: items added while one batch is being written queue up and go into the next
 * batch together, so N concurrent callers cost about one transaction rather than N, and a lone
 * caller waits for no timer (items added in the same turn of the event loop join one batch).
 * `write` returns one result per item, in order; if it throws, every caller of the batch gets
 * the error, unless `writeOne` is given (GroupCommitOptions).
 */
export class GroupCommit<T, R> {
  private queue: Waiting<T, R>[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly options: GroupCommitOptions<T, R> = {},
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
      const { writeOne } = this.options;
      if (batch.length === 1 && writeOne) await writeAlone(batch[0], writeOne);
      else await this.writeBatch(batch);
    }
    this.draining = undefined;
  }

  private async writeBatch(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      this.options.onError?.(err, batch.length);
      const { writeOne, inOrder } = this.options;
      if (!writeOne) batch.forEach((w) => w.reject(err));
      else if (inOrder) for (const w of batch) await writeAlone(w, writeOne);
      else await Promise.all(batch.map((w) => writeAlone(w, writeOne)));
    }
  }
}

/** Writes one item and settles its caller; never rejects. */
function writeAlone<T, R>(w: Waiting<T, R>, writeOne: (item: T) => Promise<R>): Promise<void> {
  return Promise.resolve()
    .then(() => writeOne(w.item))
    .then(w.resolve, w.reject);
}
