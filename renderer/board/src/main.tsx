// The students' pages: `/` is the join page, `/board/<room>` the board.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BoardRoute } from './app/BoardRoute';
import { JoinPage } from './join/JoinPage';
import { takeFragmentToken } from './net/identity';
import { takeHandoff } from './net/moved';
import './styles.css';

async function page() {
  const match = /^\/board\/([^/]+)\/?$/.exec(location.pathname);
  if (!match) return <JoinPage />;
  let raw = '';
  try {
    raw = decodeURIComponent(match[1]!);
  } catch {
    // a broken escape: not a class, and an invalid room code
  }
  // Read here, once per page load: effects may run twice. A board that followed
  // the hub here from its old address brings its member token as a handoff.
  const token = takeFragmentToken() ?? (await takeHandoff(raw));
  return <BoardRoute raw={raw} fragmentToken={token} />;
}

// A teacher's link opened in a tab already showing that board changes only the
// fragment, so no new page loads and the token would go unread (the tab stays a
// student's): load the page again, which reads it. The same for a page a browser
// brings back from its back-forward cache (Safari does so eagerly).
const reloadForLinkToken = () => {
  if (new URLSearchParams(location.hash.slice(1)).has('token')) location.reload();
};
addEventListener('hashchange', reloadForLinkToken);
addEventListener('pageshow', (e) => {
  if (e.persisted) reloadForLinkToken();
});

void page().then((content) =>
  createRoot(document.getElementById('root')!).render(<StrictMode>{content}</StrictMode>),
);
