// A short message over the board. An alert (a refusal, an error) is red and
// announced at once (role=alert); a note (an import done) is quieter
// (role=status). It goes by itself after a while, or with its button. Give it
// a new `key` for a new message, so that the while starts again.
import { useEffect, useRef } from 'react';

const SHOW_MS = { alert: 15_000, note: 6_000 };

export type ToastTone = keyof typeof SHOW_MS;

export function Toast({
  text,
  tone = 'alert',
  onDismiss,
}: {
  text: string;
  tone?: ToastTone;
  onDismiss: () => void;
}) {
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useEffect(() => {
    const timer = window.setTimeout(() => dismiss.current(), SHOW_MS[tone]);
    return () => clearTimeout(timer);
  }, [tone]);
  return (
    <div className="toast" data-tone={tone} role={tone === 'alert' ? 'alert' : 'status'}>
      <span>{text}</span>
      <button type="button" onClick={onDismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
