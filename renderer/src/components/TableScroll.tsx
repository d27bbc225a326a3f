import type { ReactNode } from 'react';

/**
 * A wide table scrolls inside its own box on a phone, never the page; the box
 * takes keyboard focus so that it can be scrolled without a pointer.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
