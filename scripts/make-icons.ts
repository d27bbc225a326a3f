// Renders every icon the installers and the tray need from build/icon.svg,
// the one source: build/icons/<n>x<n>.png (Linux, the window), build/icon.ico
// (Windows) and build/icon.icns (macOS), and build/tray/ (the tray, per OS,
// running and stopped; see TRAY_ICONS). The outputs are committed so that
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

/**
 * The tray's looks, each an SVG filter over the icon (sRGB, so the numbers
 * are the colours as written): `stopped` is the icon in grey, faded; the
 * macOS template images are black with alpha, as the menu bar wants them, taken
 * from the icon's white parts (alpha = R+G+B-2: white is opaque, the blue,
 * orange and green are not), the device dots added when running (green:
 * G-R-B > 0), the whole faded when stopped.
 */
export const TRAY_LOOKS = {
  running: '',
  stopped:
    '<feColorMatrix type="saturate" values="0"/><feComponentTransfer><feFuncA type="linear" slope="0.75"/></feComponentTransfer>',
  runningTemplate:
    '<feColorMatrix in="SourceGraphic" result="white" type="matrix" values="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  1 1 1 0 -2"/>' +
    '<feColorMatrix in="SourceGraphic" result="dots" type="matrix" values="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  -8 8 -8 0 0"/>' +
    '<feComposite in="white" in2="dots" operator="arithmetic" k2="1" k3="1"/>',
  stoppedTemplate:
    '<feColorMatrix type="matrix" values="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  0.45 0.45 0.45 0 -0.9"/>',
} as const;
export type TrayLook = keyof typeof TRAY_LOOKS;

/** build/tray/<file>: what each OS's tray shows, at 1x and 2x (Electron picks `@2x` itself). */
export const TRAY_ICONS: ReadonlyArray<{ file: string; look: TrayLook; size: number }> = [
  // macOS: a template image (…Template.png), 16 pt in the menu bar.
  { file: 'trayRunningTemplate.png', look: 'runningTemplate', size: 16 },
  { file: 'trayRunningTemplate@2x.png', look: 'runningTemplate', size: 32 },
  { file: 'trayStoppedTemplate.png', look: 'stoppedTemplate', size: 16 },
  { file: 'trayStoppedTemplate@2x.png', look: 'stoppedTemplate', size: 32 },
  // Linux: StatusNotifier and AppIndicator trays draw about 22 to 24 px.
  { file: 'tray-running.png', look: 'running', size: 24 },
  { file: 'tray-running@2x.png', look: 'running', size: 48 },
  { file: 'tray-stopped.png', look: 'stopped', size: 24 },
  { file: 'tray-stopped@2x.png', look: 'stopped', size: 48 },
];
/** Windows: an .ico each, every size from 16 px up, for every display scale. */
export const TRAY_ICOS: ReadonlyArray<{ file: string; look: TrayLook }> = [
  { file: 'tray-running.ico', look: 'running' },
  { file: 'tray-stopped.ico', look: 'stopped' },
];

/** The icon with a tray look applied, as an SVG resvg renders. */
export function traySvg(svg: Buffer | string, look: TrayLook): string {
  const inner = svg.toString().replace(/<\?xml[^>]*>/, '');
  if (!TRAY_LOOKS[look]) return inner;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">',
    '<defs><filter id="lanboard-tray" color-interpolation-filters="sRGB" filterUnits="userSpaceOnUse" x="0" y="0" width="1024" height="1024">',
    TRAY_LOOKS[look],
    `</filter></defs><g filter="url(#lanboard-tray)">${inner}</g></svg>`,
  ].join('');
}

/** The rendered RGBA pixels, for tests, and the PNG. */
export function renderTray(svg: Buffer | string, look: TrayLook, size: number) {
  const image = new Resvg(traySvg(svg, look), { fitTo: { mode: 'width', value: size } }).render();
  return { pixels: Buffer.from(image.pixels), png: image.asPng() };
}

export interface IconFiles {
  pngs: string[];
  ico: string;
  icns: string;
  tray: string[];
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
  const trayDir = path.join(outDir, 'tray');
  fs.mkdirSync(trayDir, { recursive: true });
  const tray = TRAY_ICONS.map(({ file, look, size }) => {
    fs.writeFileSync(path.join(trayDir, file), renderTray(svg, look, size).png);
    return path.join(trayDir, file);
  });
  for (const { file, look } of TRAY_ICOS) {
    const trayIco = png2icons.createICO(
      renderTray(svg, look, 256).png,
      png2icons.BICUBIC2,
      0,
      true,
    );
    if (!trayIco) throw new Error(`png2icons could not convert ${file}`);
    fs.writeFileSync(path.join(trayDir, file), trayIco);
    tray.push(path.join(trayDir, file));
  }
  const files = {
    pngs,
    ico: path.join(outDir, 'icon.ico'),
    icns: path.join(outDir, 'icon.icns'),
    tray,
  };
  fs.writeFileSync(files.ico, ico);
  fs.writeFileSync(files.icns, icns);
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = makeIcons(undefined, process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.error(
    `make-icons: ${files.pngs.length} PNGs, ${path.basename(files.ico)}, ${path.basename(files.icns)}, ${files.tray.length} tray icons`,
  );
}
