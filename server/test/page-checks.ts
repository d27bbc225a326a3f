// Checks any page must pass, measured in the browser: every request answered
// (no 404 for a favicon), no sideways scrolling at the viewport's width, and
// text contrast as WCAG 2 computes it (AA: 4.5:1, 3:1 for large text).
import type { Page } from 'playwright-core';

// What the functions below use of the page's DOM: they run in the browser, and
// server/ compiles without the DOM's types.
interface DomElement {
  tagName: string;
  className: unknown;
  textContent: string | null;
  disabled?: boolean;
  childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
  parentElement: DomElement | null;
  getBoundingClientRect(): { right: number; width: number; height: number };
  closest(selector: string): DomElement | null;
}
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<DomElement>;
};
declare function getComputedStyle(el: DomElement): {
  backgroundColor: string;
  color: string;
  visibility: string;
  fontSize: string;
  fontWeight: string;
  opacity: string;
};

/** Starts recording the page's failed requests (network errors and 4xx/5xx answers). */
export function recordFailedRequests(page: Page): string[] {
  const failed: string[] = [];
  page.on('requestfailed', (r) => {
    // A request the page itself cancels (an SSE stream on navigation) is not a failure.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED')
      failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`);
  });
  return failed;
}

/**
 * How far the document is wider than the viewport, in CSS pixels (0: no
 * sideways scroll). The viewport's width is the one the page was opened with:
 * a phone zooms out to show a too-wide page whole, which widens innerWidth.
 */
export async function sidewaysOverflow(page: Page): Promise<{ overflow: number; widest: string }> {
  const width = page.viewportSize()?.width ?? 0;
  return page.evaluate((width) => {
    const doc = document.documentElement;
    // The element reaching furthest right, to say what to fix.
    let widest = '';
    let right = width;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > right + 0.5) {
        right = r.right;
        widest = `${el.tagName.toLowerCase()}.${String(el.className)} "${(el.textContent ?? '').slice(0, 40)}"`;
      }
    }
    return { overflow: Math.max(0, doc.scrollWidth - width), widest };
  }, width);
}

export interface ContrastFailure {
  text: string;
  ratio: number;
  needed: number;
  color: string;
  background: string;
}

/**
 * Every visible element with text of its own, enabled, against the background
 * it is drawn on (the first opaque one among its ancestors, translucent ones
 * blended in): the ones below AA. `selector` narrows the elements checked.
 */
export async function contrastFailures(
  page: Page,
  selector = 'body *',
): Promise<ContrastFailure[]> {
  return page.evaluate((sel) => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const over = (top: Rgba, under: Rgba): Rgba => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i]! * a + under[i]! * (1 - a)).concat(1) as Rgba;
    };
    const luminance = (c: Rgba) => {
      const [r, g, b] = [c[0], c[1], c[2]].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const background = (el: DomElement): Rgba => {
      const layers: Rgba[] = [];
      for (let e: DomElement | null = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      let result: Rgba = [255, 255, 255, 1]; // the canvas under everything
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const failures: ContrastFailure[] = [];
    for (const el of Array.from(document.querySelectorAll(sel))) {
      const own = Array.from(el.childNodes)
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (!own) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility !== 'visible' || box.width < 2 || box.height < 2) continue;
      if (el.disabled || el.closest('[aria-disabled="true"], .sr-only')) continue; // WCAG exempts inactive controls; screen-reader text is not seen
      const bg = background(el);
      // Opacity fades the text too (counted over the element and its ancestors).
      let opacity = 1;
      for (let e: DomElement | null = el; e; e = e.parentElement) {
        opacity *= Number(getComputedStyle(e).opacity);
      }
      const color = parse(style.color);
      const fg = over([color[0], color[1], color[2], color[3] * opacity], bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      if (ratio < needed) {
        failures.push({
          text: own.slice(0, 40),
          ratio: Math.round(ratio * 100) / 100,
          needed,
          color: style.color,
          background: `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`,
        });
      }
    }
    return failures;
  }, selector);
}
