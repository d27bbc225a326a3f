// Connections and messages per second over 5 minutes, an hour (one point a
// second, from the live stream) or a day (one point a minute, asked of the
// hub), drawn by uPlot, with a legend of its own that always shows the latest
// values (uPlot's shows "--" until the pointer is over the chart).
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistoryRange, StatsSample } from '../../../server/admin/api-types';
import { cssColor } from '../components/theme';
import { api } from '../lib/api';

const RANGES: Array<{ range: HistoryRange; label: string; title: string }> = [
  { range: '5m', label: '5 min', title: 'the last 5 minutes' },
  { range: '1h', label: '1 hour', title: 'the last hour' },
  { range: '24h', label: '24 hours', title: 'the last 24 hours' },
];
const DAY_REFRESH_MS = 60_000;

const SERIES = [
  { label: 'Connections', color: '--accent', value: (s: StatsSample) => s.connections },
  {
    label: 'Messages per second',
    color: '--accent-2',
    value: (s: StatsSample) => s.messagesInPerSecond + s.messagesOutPerSecond,
  },
] as const;

function columns(samples: StatsSample[]): uPlot.AlignedData {
  return [samples.map((s) => s.t / 1000), ...SERIES.map((series) => samples.map(series.value))];
}

function options(width: number): uPlot.Options {
  const fg = cssColor('--fg');
  const grid = cssColor('--border');
  const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
  return {
    width,
    height: 320,
    legend: { show: false },
    scales: { x: { time: true }, conns: { range: (_u, _min, max) => [0, Math.max(5, max)] } },
    series: [
      {},
      { label: SERIES[0].label, stroke: cssColor(SERIES[0].color), width: 2, scale: 'conns' },
      { label: SERIES[1].label, stroke: cssColor(SERIES[1].color), width: 2, scale: 'rate' },
    ],
    axes: [
      axis,
      { ...axis, scale: 'conns', label: 'Connections' },
      { ...axis, scale: 'rate', side: 1, label: 'Messages/s', grid: { show: false } },
    ],
  };
}

/** The day's samples, asked again every minute while that range is shown. */
function useDay(active: boolean): StatsSample[] | undefined {
  const [day, setDay] = useState<StatsSample[]>();
  useEffect(() => {
    if (!active) return;
    const load = () =>
      api.history('24h').then(
        (r) => setDay(r.samples),
        () => undefined,
      );
    void load();
    const timer = setInterval(load, DAY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [active]);
  return day;
}

export function Connections({ samples, theme }: { samples: StatsSample[]; theme: string }) {
  const [range, setRange] = useState<HistoryRange>('1h');
  const day = useDay(range === '24h');
  const shown =
    range === '24h' ? (day ?? []) : range === '5m' ? samples.slice(-300) : samples.slice(-3600);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>(undefined);
  const latest = useRef(shown);
  latest.current = shown;

  // (Re)created on a theme change: the canvas takes its colours at creation.
  useEffect(() => {
    const el = box.current!;
    const u = new uPlot(options(el.clientWidth || 600), columns(latest.current), el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: 320 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = undefined;
    };
  }, [theme]);

  useEffect(() => {
    plot.current?.setData(columns(shown));
  }, [shown]);

  const last = samples[samples.length - 1];
  const title = RANGES.find((r) => r.range === range)!.title;
  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">Connections</h1>
      <p role="status" aria-live="off">
        {last
          ? `Now: ${last.connections} connections, ${last.messagesInPerSecond} messages/s in, ${last.messagesOutPerSecond} out.`
          : 'Waiting for the first sample…'}
      </p>
      <div className="segmented" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button
            key={r.range}
            type="button"
            aria-pressed={range === r.range}
            onClick={() => setRange(r.range)}
          >
            {r.label}
          </button>
        ))}
      </div>
      <figure>
        <ul className="chart-legend" aria-label="Legend">
          {SERIES.map((series) => (
            <li key={series.label}>
              <span
                className="swatch"
                style={{ background: cssColor(series.color) }}
                aria-hidden="true"
              />
              {series.label}
              <strong data-testid={`legend-${series.color.slice(2)}`}>
                {last ? series.value(last) : '–'}
              </strong>
            </li>
          ))}
        </ul>
        <div
          ref={box}
          className="chart"
          role="img"
          aria-label={`Chart of connections and messages per second over ${title}`}
          data-points={shown.length}
          data-range={range}
        />
        <figcaption className="muted">
          {range === '24h'
            ? 'One point per minute (its highest connections, its mean messages per second), since the hub started, up to a day.'
            : 'One point per second, since the hub started; the hub keeps the last hour.'}
        </figcaption>
      </figure>
    </section>
  );
}
