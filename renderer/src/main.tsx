import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeTokenFromDesktop } from './lib/desktop';
import { takeTokenFromUrl } from './lib/token';
import './styles.css';

// Before anything renders: the token leaves the address bar at once, or,
// in the desktop app, comes from the preload.
takeTokenFromUrl();
void takeTokenFromDesktop().then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
