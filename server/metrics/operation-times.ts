// A histogram of how long each operation took, kept in plain counts so that
// the hub records from its first operation without loading prom-client (which
// is loaded at the first scrape, metrics.ts), and written out in the
// Prometheus text format, which prom-client has no public way to fill from
// counts kept elsewhere.

interface Counts {
  /** Per bucket, not cumulative; the last one is +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

export class OperationTimes {
  private readonly byOperation = new Map<string, Counts>();

  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds in seconds, ascending. */
    readonly bounds: readonly number[],
  ) {}

  /** Records one operation's seconds; look it up once per operation, call it per run. */
  recorder(operation: string): (seconds: number) => void {
    let counts = this.byOperation.get(operation);
    if (!counts) {
      counts = { buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.byOperation.set(operation, counts);
    }
    const c = counts;
    return (seconds) => {
      const i = this.bounds.findIndex((b) => seconds <= b);
      c.buckets[i === -1 ? this.bounds.length : i]!++;
      c.sum += seconds;
      c.count++;
    };
  }

  /** The histogram in the Prometheus text format (0.0.4), ending in a newline. */
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [operation, c] of this.byOperation) {
      const op = `operation="${escapeLabel(operation)}"`;
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += c.buckets[i]!;
        lines.push(`${this.name}_bucket{le="${bound}",${op}} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket{le="+Inf",${op}} ${c.count}`);
      lines.push(`${this.name}_sum{${op}} ${c.sum}`);
      lines.push(`${this.name}_count{${op}} ${c.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
