// Renders every icon the installers and the tray need from build/icon.svg,
// the one source: build/icons/<n>x<n>.png (Linux, the tray), build/icon.ico
// (Windows) and build/icon.icns (macOS). The outputs are committed so that
// `npm start` and electron-builder find them; run this after editing the SVG.
// Usage: node --import tsx scripts/make-icons.ts [outDir]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import png2icons from 'png2icons';

const BUILD = fileURLToPath(new URL('../build/', import.meta.url));

/** Linux wants each of these; 16 and 32 serve the tray; 1024 feeds the .icns and .ico. */
export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;

export function renderPng(svg: Buffer | string, size: number): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

export interface IconFiles {
  pngs: string[];
  ico: string;
  icns: string;
}

export function makeIcons(svgFile = path.join(BUILD, 'icon.svg'), outDir = BUILD): IconFiles {
  const svg = fs.readFileSync(svgFile);
  const dir = path.join(outDir, 'icons');
  fs.mkdirSync(dir, { recursive: true });
  const pngs = ICON_SIZES.map((size) => {
    const file = path.join(dir, `${size}x${size}.png`);
    fs.writeFileSync(file, renderPng(svg, size));
    return file;
  });
  const largest = fs.readFileSync(pngs[pngs.length - 1]!);
  const ico = png2icons.createICO(largest, png2icons.BICUBIC2, 0, true, true);
  const icns = png2icons.createICNS(largest, png2icons.BICUBIC2, 0);
  if (!ico || !icns) throw new Error('png2icons could not convert the 1024 px icon');
  const files = { pngs, ico: path.join(outDir, 'icon.ico'), icns: path.join(outDir, 'icon.icns') };
  fs.writeFileSync(files.ico, ico);
  fs.writeFileSync(files.icns, icns);
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = makeIcons(undefined, process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.error(
    `make-icons: ${files.pngs.length} PNGs, ${path.basename(files.ico)}, ${path.basename(files.icns)}`,
  );
}
