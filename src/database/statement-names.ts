/**
 * Names for prepared statements whose text varies (one per column set): the same text always gets the same name,
 * and at most `max` names are handed out, because each is prepared on every pooled connection; past that, queries
 * go unnamed (parsed each time, still correct).
 */
export class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly max = 128,
  ) {}

  /** The name for statements keyed `key`, or undefined once the budget is spent. */
  nameFor(key: string): string | undefined {
    let name = this.names.get(key);
    if (name === undefined && this.names.size < this.max) {
      name = `${this.prefix}_${this.names.size}`;
      this.names.set(key, name);
    }
    return name;
  }
}
