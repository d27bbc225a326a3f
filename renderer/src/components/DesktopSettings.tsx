// What only the desktop app can do for Settings: start at login and the logs
// folder (docs/architecture.md#the-dashboard-talks-to-the-hub-over-http). In a browser there is no preload, and nothing shows.
import { useEffect, useState } from 'react';
import { desktop } from '../lib/desktop';

export function DesktopSettings() {
  const [autostart, setAutostart] = useState<boolean>();
  const [note, setNote] = useState<string>();
  useEffect(() => {
    void desktop
      ?.getAutostart()
      .then(setAutostart, () => setNote('Start at login is unavailable.'));
  }, []);
  if (!desktop) return null;
  const api = desktop;
  return (
    <fieldset>
      <legend>This computer</legend>
      <label className="inline">
        <input
          type="checkbox"
          checked={autostart ?? false}
          disabled={autostart === undefined}
          onChange={(e) =>
            void api
              .setAutostart(e.target.checked)
              .then(setAutostart, (err: Error) => setNote(`Not changed: ${err.message}`))
          }
        />{' '}
        Start Lanboard when I log in (it waits in the tray)
      </label>
      <div className="actions">
        <button type="button" onClick={() => void api.openLogsFolder()}>
          Open the logs folder
        </button>
      </div>
      {note && <small className="muted">{note}</small>}
    </fieldset>
  );
}

/** A "Choose…" button beside the certificate and key paths, in the desktop app only. */
export function PickFileButton({
  kind,
  onPick,
}: {
  kind: 'cert' | 'key';
  onPick(path: string): void;
}) {
  if (!desktop) return null;
  const api = desktop;
  return (
    <button
      type="button"
      aria-label={kind === 'cert' ? 'Choose the certificate file' : 'Choose the key file'}
      onClick={() => void api.pickFile(kind).then((path) => path && onPick(path))}
    >
      Choose…
    </button>
  );
}
