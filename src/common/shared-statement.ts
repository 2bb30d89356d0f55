/**
 * Group commit for any statement: what callers submit while one run is in flight goes together in the next run, so
 * that under load N callers share one statement (one round trip, one commit) and alone a caller waits for nobody.
 * Items submitted in one turn of the event loop start together. `run` answers one result per item, in order; if it
 * throws, every item of that run fails with its error (the statement commits all or none of them).
 */
export class SharedStatement<I, O> {
  private readonly waiting: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  /** `maxInFlight` runs at once (1: strict group commit; 2: a caller waits for at most one run ahead of its own). */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxItems = 500,
    private readonly maxInFlight = 1,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.inFlight < this.maxInFlight && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.inFlight += 1;
    const batch = this.waiting.splice(0, this.maxItems);
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.inFlight -= 1;
      if (this.waiting.length > 0) void this.flush();
    }
  }
}
