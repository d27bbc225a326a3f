// The live display. On a terminal, one status line rewritten in place (\r and an
// ANSI clear-line), with log lines scrolling above it; anywhere else (a pipe, a
// file, --verbose) plain lines, one per tick.
import type { GeneratorLoad, Snapshot, Summary } from './report';
import type { LatencyStats } from './stats';

const CLEAR_LINE = '\r\x1b[2K';

export interface DisplayStream {
  write(text: string): unknown;
  columns?: number;
}

function latency(s: LatencyStats | null): string {
  if (!s) return 'screen-to-screen: no samples yet';
  return (
    `screen-to-screen avg=${s.avg}ms min=${s.min}ms max=${s.max}ms ` +
    `p50=${s.p50}ms p95=${s.p95}ms p99=${s.p99}ms`
  );
}

function problems(s: Snapshot): string {
  const parts: string[] = [];
  const add = (name: string, n: number) => n > 0 && parts.push(`${name}=${n}`);
  add('errors', s.errors.server);
  add('unexpected', s.errors.unexpected);
  add('gaps', s.errors.gaps);
  add('disconnects', s.connections.disconnects);
  add('failedDials', s.connections.failedDials);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/** The one-line status: connections, docLength, changes/s and screen-to-screen. */
export function formatLine(s: Snapshot): string {
  return (
    `${s.elapsedS.toFixed(0)}s connections=${s.connections.open}/${s.connections.target} ` +
    `docLength=${s.docLength} changes/s=${s.changes.perSecond} ` +
    `delivered/s=${s.delivered.perSecond} ${latency(s.screenToScreenMs)}${problems(s)}`
  );
}

/** A generator's share of a core and event-loop delay, and whether it saturated. */
function loadLine(g: GeneratorLoad): string {
  const d = g.eventLoopDelayMs;
  return (
    `${g.cpuPercent}% of one core), event-loop delay p50 ${d.p50} ms, p99 ${d.p99} ms, max ${d.max} ms` +
    (g.cpuPercent >= 90 || d.p99 >= 50
      ? ' (saturated: the tester, not the server, may limit these numbers)'
      : '')
  );
}

/** The human-readable summary printed at the end (without --json). */
export function formatSummary(s: Summary): string {
  const c = s.connections;
  const ch = s.changes;
  const e = s.errors;
  const g = s.generator;
  const lat = s.screenToScreenMs;
  const lines = [
    `Load test of ${s.target.url} document ${JSON.stringify(s.target.docId)}: ` +
      `${s.target.teachers} teachers, ${s.target.students} students, ` +
      `delay ${s.target.delayMs} ms, ${s.target.length}-byte changes`,
    `Stopped by ${s.stoppedBy === 'signal' ? 'interrupt' : 'duration'} after ${s.elapsedS.toFixed(1)} s`,
    `Connections: ${c.open} open of ${c.target} (peak ${c.peak}), ${c.connects} connects, ` +
      `${c.disconnects} disconnects, ${c.failedDials} failed dials`,
    `Document: ${s.docLength} bytes`,
    `Changes: ${ch.sent} sent, ${ch.acked} acked (${ch.perSecond}/s), ${ch.conflicts} conflicts, ` +
      `${ch.resent} re-sent, ${ch.unconfirmed} unconfirmed`,
    `Delivered: ${s.delivered.appends} appends (${s.delivered.perSecond}/s)`,
    lat
      ? `Screen-to-screen (${lat.samples} samples): avg ${lat.avg} ms, min ${lat.min} ms, ` +
        `max ${lat.max} ms, p50 ${lat.p50} ms, p95 ${lat.p95} ms, p99 ${lat.p99} ms`
      : 'Screen-to-screen: no samples',
    `Errors: ${e.server} from the server, ${e.unexpected} unexpected messages, ${e.gaps} gaps, ` +
      `${e.behind} clients behind at the end`,
    g.workers
      ? `Load tester: ${g.workers.length} worker processes, ${g.cpuS} s CPU in all`
      : `Load tester: ${g.cpuS} s CPU (${loadLine(g)}`,
    ...(g.workers ?? []).map((w, i) => `  worker ${i + 1}: ${w.cpuS} s CPU (${loadLine(w)}`),
  ];
  return `${lines.join('\n')}\n`;
}

export class LiveDisplay {
  private status = '';

  /** `tty`: rewrite one status line in place; otherwise print a line per update. */
  constructor(
    private readonly out: DisplayStream,
    private readonly tty: boolean,
  ) {}

  update(s: Snapshot): void {
    const line = formatLine(s);
    if (!this.tty) {
      this.out.write(`${line}\n`);
      return;
    }
    // Never wider than the terminal: a wrapped line cannot be rewritten with \r.
    // (A terminal that reports no width, or 0, gets the whole line.)
    const columns = this.out.columns ?? 0;
    const width = columns > 20 ? columns - 1 : Infinity;
    this.status = line.length > width ? line.slice(0, width) : line;
    this.out.write(`${CLEAR_LINE}${this.status}`);
  }

  /** A line that stays, printed above the status line. */
  log(line: string): void {
    if (!this.tty) {
      this.out.write(`${line}\n`);
      return;
    }
    this.out.write(`${CLEAR_LINE}${line}\n${this.status}`);
  }

  /** Clears the status line before the summary is printed. */
  finish(): void {
    if (this.tty && this.status !== '') this.out.write(CLEAR_LINE);
    this.status = '';
  }
}
