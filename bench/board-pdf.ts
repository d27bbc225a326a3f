// The classroom board's PDF export (renderer/board/src/io/pdf.ts, pdf-lib) of
// the 5,000 strokes bench:board draws, under Node: the CPU time and wall time
// of shapesPdf, and the file's size. The exporter runs the same code in the
// browser; Node takes the browser and the page's other work out of the
// measurement. No assertions. `npm run bench:pdf [-- --quick]`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { shapesPdf } from '../renderer/board/src/io/pdf';
import { benchStrokes } from './board-strokes';
import { STROKES } from './board-render';
import { markdownTable } from './markdown';
import { loadNote } from './processes';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function boardPdfReport({ quick = false } = {}): Promise<string> {
  const shapes = benchStrokes(STROKES);
  const runs = quick ? 1 : 5;
  const cpu: number[] = [];
  const wall: number[] = [];
  let bytes = 0;
  await shapesPdf([{ shapes: shapes.slice(0, 50) }]); // pdf-lib's first use, not measured
  for (let i = 0; i < runs; i++) {
    const [startCpu, start] = [process.cpuUsage(), performance.now()];
    const pdf = await shapesPdf([{ shapes }]);
    wall.push(performance.now() - start);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1000);
    bytes = pdf.bytes.length;
  }
  return [
    `### The board's PDF export (median of ${runs})`,
    '',
    markdownTable(
      ['Shapes', 'CPU (ms)', 'Wall (ms)', 'PDF (KiB)'],
      [
        [
          String(STROKES),
          median(cpu).toFixed(0),
          median(wall).toFixed(0),
          (bytes / 1024).toFixed(0),
        ],
      ],
    ),
    '',
    loadNote(),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  console.log(await boardPdfReport({ quick: values.quick }));
}
