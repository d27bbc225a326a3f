// Connections and messages per second over the last hour, drawn by uPlot.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StatsSample } from '../../../server/admin/api-types';
import { cssColor } from '../components/theme';

function columns(samples: StatsSample[]): uPlot.AlignedData {
  return [
    samples.map((s) => s.t / 1000),
    samples.map((s) => s.connections),
    samples.map((s) => s.messagesInPerSecond + s.messagesOutPerSecond),
  ];
}

function options(width: number): uPlot.Options {
  const fg = cssColor('--fg');
  const grid = cssColor('--border');
  const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
  return {
    width,
    height: 320,
    title: 'Last hour',
    scales: { x: { time: true }, conns: { range: (_u, _min, max) => [0, Math.max(5, max)] } },
    series: [
      {},
      { label: 'Connections', stroke: cssColor('--accent'), width: 2, scale: 'conns' },
      { label: 'Messages/s', stroke: cssColor('--accent-2'), width: 2, scale: 'rate' },
    ],
    axes: [
      axis,
      { ...axis, scale: 'conns', label: 'Connections' },
      { ...axis, scale: 'rate', side: 1, label: 'Messages/s', grid: { show: false } },
    ],
  };
}

export function Connections({ samples, theme }: { samples: StatsSample[]; theme: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>(undefined);
  const latest = useRef(samples);
  latest.current = samples;

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
    plot.current?.setData(columns(samples));
  }, [samples]);

  const last = samples[samples.length - 1];
  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">Connections</h1>
      <p role="status" aria-live="off">
        {last
          ? `Now: ${last.connections} connections, ${last.messagesInPerSecond} messages/s in, ${last.messagesOutPerSecond} out.`
          : 'Waiting for the first sample…'}
      </p>
      <figure>
        <div
          ref={box}
          className="chart"
          role="img"
          aria-label="Chart of connections and messages per second over the last hour"
          data-points={samples.length}
        />
        <figcaption className="muted">
          One point per second; the hub keeps the last hour.
        </figcaption>
      </figure>
    </section>
  );
}
