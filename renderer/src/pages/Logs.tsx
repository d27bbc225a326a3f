// The live log tail: level filter, search, pause (new lines wait), copy. Each
// line reads as its time, its level in colour, its message, and its fields as
// chips (`docId log-line-doc`); the copied text stays one line per entry.
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import type { LogEntry } from '../../../server/admin/api-types';

const LEVELS = [
  { name: 'all', min: 0 },
  { name: 'debug', min: 20 },
  { name: 'info', min: 30 },
  { name: 'warn', min: 40 },
  { name: 'error', min: 50 },
];

function lineText(l: LogEntry): string {
  const fields = Object.keys(l.fields).length > 0 ? ` ${JSON.stringify(l.fields)}` : '';
  return `${new Date(l.time).toISOString()} ${l.levelName.toUpperCase()} ${l.msg}${fields}`;
}

function chipValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function LogLine({ l }: { l: LogEntry }) {
  const time = new Date(l.time);
  return (
    <div className={`log-line level-${l.levelName}`}>
      <time dateTime={time.toISOString()}>{time.toLocaleTimeString()}</time>{' '}
      <span className="log-level">{l.levelName.toUpperCase()}</span>{' '}
      <span className="log-msg">{l.msg}</span>
      {Object.entries(l.fields).map(([k, v]) => (
        <Fragment key={k}>
          {' '}
          <span className="chip">
            <span className="chip-key">{k}</span> {chipValue(v)}
          </span>
        </Fragment>
      ))}
    </div>
  );
}

export function Logs({ logs }: { logs: LogEntry[] }) {
  const [min, setMin] = useState(0);
  const [search, setSearch] = useState('');
  const [paused, setPaused] = useState<LogEntry[] | undefined>();
  const [copied, setCopied] = useState('');
  const tail = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  const source = paused ?? logs;
  const waiting = paused ? logs.length - paused.length : 0;
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return source
      .filter((l) => l.level >= min)
      .map((l) => ({ l, text: lineText(l) }))
      .filter(({ text }) => !needle || text.toLowerCase().includes(needle));
  }, [source, min, search]);

  // Follow the tail unless the reader scrolled up.
  useEffect(() => {
    const el = tail.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  const copy = () => {
    const text = shown.map((s) => s.text).join('\n');
    navigator.clipboard.writeText(text).then(
      () => setCopied(`Copied ${shown.length} lines.`),
      () => setCopied('The browser refused the clipboard; select the lines and copy them.'),
    );
  };

  return (
    <section aria-labelledby="logs-title" className="logs-page">
      <h1 id="logs-title">Logs</h1>
      <div className="toolbar">
        <label>
          Level
          <select value={min} onChange={(e) => setMin(Number(e.target.value))}>
            {LEVELS.map((l) => (
              <option key={l.name} value={l.min}>
                {l.name === 'all' ? 'All levels' : `${l.name} and above`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <button
          type="button"
          aria-pressed={paused !== undefined}
          onClick={() => setPaused((p) => (p ? undefined : logs))}
        >
          {paused ? `Resume${waiting > 0 ? ` (${waiting} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" onClick={copy} disabled={shown.length === 0}>
          Copy
        </button>
        <span role="status" aria-live="polite" className="muted">
          {copied}
        </span>
      </div>
      <div
        ref={tail}
        className="log-tail"
        role="log"
        aria-label="Log lines, newest last"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.length === 0 ? (
          <p className="empty">No log lines{search || min ? ' match' : ' yet'}.</p>
        ) : (
          shown.map(({ l }, i) => <LogLine key={`${l.time}-${i}`} l={l} />)
        )}
      </div>
    </section>
  );
}
