import type { ConnectionState } from '../net/connection';

const TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting… your drawing is kept',
  offline: 'Offline: your drawing is kept',
  refused: 'Not allowed in this room',
};

/** The connection state, announced to screen readers as it changes. */
export function StatusBadge({ state }: { state: ConnectionState }) {
  return (
    <span className="status" data-state={state} role="status" aria-live="polite">
      {TEXT[state]}
    </span>
  );
}
