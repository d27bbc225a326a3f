// How students get in: the code, big enough to read from the back of the
// room, the join address and its QR code, and the hub's other LAN addresses.
// Links open a new window: the dashboard stays (the desktop app hands them to
// the system browser).
import type { ClassDetail } from '../../../../server/admin/api-types';
import { svgDataUrl } from '../../lib/format';

export function JoinCard({ c }: { c: ClassDetail }) {
  const others = c.join.urls.filter((u) => u !== c.join.url);
  return (
    <article className="card join-card" aria-labelledby="join-title">
      <h2 id="join-title">Students join with the code</h2>
      {/* Two groups of three: easier to read aloud and to copy from the board. */}
      <p className="class-code" data-testid="class-code">
        <span>{c.code.slice(0, 3)}</span>
        <span>{c.code.slice(3)}</span>
      </p>
      <p className="join-url">
        <a href={c.join.url} target="_blank" rel="noopener" data-testid="join-url">
          {c.join.url}
        </a>
      </p>
      <img className="qr" src={svgDataUrl(c.join.qrSvg)} alt={`QR code for ${c.join.url}`} />
      {others.length > 0 && (
        <>
          <h3 className="muted">Also reachable at</h3>
          <ul className="other-urls">
            {others.map((u) => (
              <li key={u}>
                <a href={u} target="_blank" rel="noopener">
                  {u}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
