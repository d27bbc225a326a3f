import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeTokenFromDesktop } from './lib/desktop';
import { logIn, takeTokenFromUrl } from './lib/login';
import './styles.css';

// Before anything renders: the token leaves the address bar at once, or, in
// the desktop app, comes from the preload; either is exchanged for the login
// cookie. A wrong one leaves the login prompt to explain.
async function logInFromToken(): Promise<void> {
  const token = takeTokenFromUrl() ?? (await takeTokenFromDesktop());
  if (token) await logIn(token).catch(() => undefined);
}
void logInFromToken().then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
