// The students' pages: `/` is the join page, `/board/<room>` the board.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BoardRoute } from './app/BoardRoute';
import { JoinPage } from './join/JoinPage';
import { takeFragmentToken } from './net/identity';
import './styles.css';

function page() {
  const match = /^\/board\/([^/]+)\/?$/.exec(location.pathname);
  if (!match) return <JoinPage />;
  let raw = '';
  try {
    raw = decodeURIComponent(match[1]!);
  } catch {
    // a broken escape: not a class, and an invalid room code
  }
  // Read here, once per page load: effects may run twice.
  return <BoardRoute raw={raw} fragmentToken={takeFragmentToken()} />;
}

createRoot(document.getElementById('root')!).render(<StrictMode>{page()}</StrictMode>);
