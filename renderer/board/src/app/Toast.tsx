// A short message over the board that screen readers announce at once
// (role=alert); it goes by itself after a while, or with its button. Give it a
// new `key` for a new message, so that the while starts again.
import { useEffect, useRef } from 'react';

const SHOW_MS = 15_000;

export function Toast({ text, onDismiss }: { text: string; onDismiss: () => void }) {
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useEffect(() => {
    const timer = window.setTimeout(() => dismiss.current(), SHOW_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div className="toast" role="alert">
      <span>{text}</span>
      <button type="button" onClick={onDismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
