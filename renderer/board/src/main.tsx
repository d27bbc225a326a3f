// The students' pages: `/` is the join page, `/board/<room>` the board.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BoardPage } from './app/BoardPage';
import { JoinPage } from './join/JoinPage';
import { normalizeRoom } from './net/identity';
import './styles.css';

function page() {
  const match = /^\/board\/([^/]+)\/?$/.exec(location.pathname);
  if (!match) return <JoinPage />;
  let raw = '';
  try {
    raw = decodeURIComponent(match[1]!);
  } catch {
    // a broken escape: treated as an invalid code below
  }
  const room = normalizeRoom(raw);
  return room ? <BoardPage room={room} /> : <JoinPage error={`"${raw}" is not a room code.`} />;
}

createRoot(document.getElementById('root')!).render(<StrictMode>{page()}</StrictMode>);
