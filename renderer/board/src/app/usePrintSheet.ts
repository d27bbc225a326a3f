// Printing the board: the canvases show only the view, at screen resolution,
// so what prints is a separate sheet, the whole drawing as SVG (vector, on
// white), that the print stylesheet shows fitted to the page while it hides
// everything else (styles.css, @media print). The sheet is filled just before
// printing: building it on every change would cost a large board for nothing.
import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';
import { boardSvg } from '../model/svg';
import type { BoardSession } from './session';

export function usePrintSheet(session: RefObject<BoardSession | null>): RefObject<HTMLDivElement> {
  const sheet = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const fill = () => {
      const s = session.current;
      // boardSvg escapes every text and colour it writes.
      if (s && sheet.current) sheet.current.innerHTML = boardSvg(s.model.all());
    };
    // Chromium and Firefox send beforeprint; older Safari only changes the media.
    const media = window.matchMedia('print');
    const onMedia = (e: MediaQueryListEvent) => e.matches && fill();
    window.addEventListener('beforeprint', fill);
    media.addEventListener('change', onMedia);
    return () => {
      window.removeEventListener('beforeprint', fill);
      media.removeEventListener('change', onMedia);
    };
  }, [session]);
  return sheet as RefObject<HTMLDivElement>;
}
