// Whether the board's header and tool bar fit the window, measured in the page
// the same way in every engine (Chromium through Playwright, WebKit through
// WebDriver): each visible control, and what is wrong with it. The function
// that measures runs in the page, so it uses nothing but the DOM.

/** Every action of the teacher's tool bar, by accessible name. */
export const FIRST_ROW = [
  'Select and move (V)',
  'Pen (P)',
  'Line (L)',
  'Rectangle (R)',
  'Ellipse (O)',
  'Text (T)',
  'Eraser (E)',
  'Colour black',
  'Colour red',
  'Colour blue',
  'Colour green',
  'Colour orange',
  'Colour purple',
  'Undo (Ctrl+Z)',
  'Redo (Ctrl+Shift+Z)',
  'Fit the drawing (0)',
];
export const BEHIND_MORE = [
  'Width 2',
  'Width 4',
  'Width 8',
  'Width 16',
  'Other colour',
  'Zoom out (-)',
  'Zoom in (+)',
  'Export PNG',
  'Export SVG',
  'Export JSON snapshot',
  'Export PDF of the whole board',
  'Export PDF of the current view',
  'Import',
  'Replace',
  'Clear board',
];

/** The page's DOM, as much as the checks use (server/ compiles without the DOM library). */
interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}
interface El {
  getBoundingClientRect(): Box;
  getAttribute(name: string): string | null;
  textContent: string | null;
  parentElement: El | null;
  className: string;
  scrollWidth: number;
  clientWidth: number;
  contains(other: El): boolean;
  checkVisibility(): boolean;
  matches(selector: string): boolean;
}
export interface PageDom {
  innerWidth: number;
  innerHeight: number;
  document: {
    querySelectorAll(s: string): Iterable<El>;
    elementFromPoint(x: number, y: number): El | null;
  };
  getComputedStyle(el: El): { overflowX: string; overflowY: string };
  matchMedia(q: string): { matches: boolean };
}

export interface Control {
  name: string;
  problems: string[];
  width: number;
  height: number;
  /** The role and the connection state: shown, not touched. */
  badge: boolean;
}

/**
 * Runs in the page: every visible control of the header and the tool bar, with
 * what is wrong with it: outside the viewport, clipped by a scrolling or
 * hiding ancestor, its text cut short, or covered by something else.
 */
export function visibleControls(): Control[] {
  const w = globalThis as unknown as PageDom;
  const [vw, vh] = [w.innerWidth, w.innerHeight];
  const out: Control[] = [];
  const selector =
    '.topbar a, .topbar .status, .topbar .role, .toolbar button, .toolbar label.file, .toolbar input[type="color"]';
  const outside = (r: Box, c: Pick<Box, 'left' | 'top' | 'right' | 'bottom'>) =>
    r.left < c.left - 0.5 ||
    r.top < c.top - 0.5 ||
    r.right > c.right + 0.5 ||
    r.bottom > c.bottom + 0.5;
  for (const el of w.document.querySelectorAll(selector)) {
    if (!el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    const problems: string[] = [];
    if (outside(r, { left: 0, top: 0, right: vw, bottom: vh }))
      problems.push('outside the viewport');
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = w.getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      if (outside(r, a.getBoundingClientRect())) problems.push(`clipped by .${a.className}`);
    }
    if (el.matches('.status, .role') && el.scrollWidth > el.clientWidth + 1) {
      problems.push('text cut short');
    }
    const hit = w.document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    if (!hit || !el.contains(hit)) problems.push(`covered by .${hit?.className ?? 'nothing'}`);
    const badge = el.matches('.status, .role');
    out.push({ name, problems, width: r.width, height: r.height, badge });
  }
  return out;
}
