// Every setting but the few left to the file, grouped, in words, edited in the
// hub's config file. The hub checks every value; its errors show beside the
// field. "Apply and restart" says first what a restart does to the people
// connected, then saves, restarts the hub, and follows it to a new port.
import { useCallback, useEffect, useState } from 'react';
import { SETTING_GROUPS } from '../../../server/admin/api-types';
import type { ConfigView, RestartReply, SettingView } from '../../../server/admin/api-types';
import { DesktopSettings } from '../components/DesktopSettings';
import { HelpText } from '../components/HelpText';
import { api } from '../lib/api';
import { checkMove, MOVES, moveWarning } from '../lib/moves';
import type { MoveCheck, MoveValues } from '../lib/moves';
import type { ApiError } from '../lib/api';
import { LoginControls } from '../components/LoginControls';
import { Field } from './settings/Field';

const TRUE = new Set(['1', 'true', 'on', 'yes']);

/** The form's starting value: the file's, booleans as 1/0; secrets start empty (unchanged). */
function initial(s: SettingView): string {
  if (s.secret || s.fileValue === null) return '';
  if (s.input === 'boolean' && s.fileValue !== '') {
    return TRUE.has(s.fileValue.toLowerCase()) ? '1' : '0';
  }
  return s.fileValue;
}

type Phase =
  | { kind: 'idle'; note?: string }
  | { kind: 'saving' }
  /** The change moves the hub: the page says what that does to open boards, and waits for a yes. */
  | { kind: 'confirming'; check: MoveCheck }
  /** `reply` is missing when the answer was lost as the hub went down. */
  | { kind: 'restarting'; reply?: RestartReply; before: number | undefined };

/** What a restart does to the people connected now, said before it is done. */
function restartNote(clients: number | undefined, moving: string[]): string {
  const who =
    clients === undefined || clients === 0
      ? 'Nobody is connected now.'
      : clients === 1
        ? '1 student device or board is connected;'
        : `${clients} student devices and boards are connected;`;
  if (clients === undefined || clients === 0) return `${who} A restart takes a few seconds.`;
  if (moving.length > 0) {
    return `${who} a restart changes ${moving.join(', ')}: the hub moves to a new address, and the page asks before it does.`;
  }
  return `${who} their boards will reconnect by themselves after a restart of a few seconds.`;
}

interface SettingsProps {
  startedAt: number | undefined;
  page: string;
  /** Clients connected now, from the overview's snapshot. */
  clients: number | undefined;
}

export function Settings({ startedAt, page, clients }: SettingsProps) {
  const [view, setView] = useState<ConfigView>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [cleared, setCleared] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [loadError, setLoadError] = useState<string>();

  const load = useCallback(() => {
    api.config().then(
      (v) => {
        setView(v);
        setValues(Object.fromEntries(v.settings.map((s) => [s.key, initial(s)])));
        setCleared(new Set());
      },
      (e: Error) => setLoadError(e.message),
    );
  }, []);
  useEffect(load, [load]);

  // Same address: the restart is over when the event stream greets us from a new hub.
  useEffect(() => {
    if (phase.kind === 'restarting' && startedAt !== undefined && startedAt !== phase.before) {
      setPhase({ kind: 'idle', note: 'The hub restarted with the saved settings.' });
      load();
    }
  }, [startedAt, phase, load]);

  if (loadError) return <p className="error">Cannot read the settings: {loadError}</p>;
  if (!view) return <p>Loading the settings…</p>;
  const byKey = new Map(view.settings.map((s) => [s.key, s]));

  const changed = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const s of view.settings) {
      if (s.secret) {
        if (cleared.has(s.key)) out[s.key] = '';
        else if (values[s.key]) out[s.key] = values[s.key]!;
      } else if ((values[s.key] ?? '') !== initial(s)) out[s.key] = values[s.key] ?? '';
    }
    return out;
  };

  const save = async (): Promise<boolean> => {
    const dirty = changed();
    if (Object.keys(dirty).length === 0) return true;
    setPhase({ kind: 'saving' });
    try {
      const reply = await api.saveConfig(dirty);
      setErrors({});
      const shadowed = Object.keys(reply.shadowed);
      setPhase({
        kind: 'idle',
        note: `Saved to ${reply.file}. Restart to apply.${shadowed.length ? ` Still overridden: ${shadowed.join(', ')}.` : ''}`,
      });
      load();
      return true;
    } catch (e) {
      const err = e as ApiError;
      setErrors(err.errors ?? {});
      setPhase({ kind: 'idle', note: `Not saved: ${err.message}` });
      return false;
    }
  };

  const applyAndRestart = async () => {
    if (!(await save())) return;
    try {
      const reply = await api.restart();
      setPhase({ kind: 'restarting', reply, before: startedAt });
      const target = new URL(reply.url);
      if (target.origin !== window.location.origin) await follow(reply, page);
    } catch (e) {
      // No answer at all: the hub went down first. Wait for it at this address.
      if (e instanceof TypeError) return setPhase({ kind: 'restarting', before: startedAt });
      const err = e as ApiError;
      setErrors(err.errors ?? {});
      setPhase({ kind: 'idle', note: `Not restarted: ${err.message}` });
    }
  };

  const busy = phase.kind !== 'idle';
  const moving = MOVES.filter((k) => {
    const s = byKey.get(k);
    return s && (values[k] ?? '') !== initial(s);
  });
  /** Running now against what the restart will run: an empty field is the default. */
  const moveValues = Object.fromEntries(
    MOVES.map((k) => {
      const s = byKey.get(k)!;
      const fallback = s.defaultText === '(empty)' ? '' : s.defaultText;
      const next = s.origin === 'env' || s.origin === 'flag' ? s.value : values[k] || fallback;
      return [k, { now: s.value, next }];
    }),
  ) as MoveValues;
  const askFirst = () => {
    if (moving.length === 0) return void applyAndRestart();
    setPhase({ kind: 'confirming', check: { ...checkMove(moveValues), moving } });
  };
  const fileOnly = view.settings.filter((s) => s.fileOnly);
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <p className="muted">
        Saved to <code>{view.file}</code>
        {view.fileExists ? '' : ' (created on the first save)'}; comments and other lines in it are
        kept. Empty means the default.
      </p>
      <aside className="note" aria-label="About HTTPS pages">
        A web page served over <strong>HTTPS</strong> cannot connect to a <code>ws://</code> hub:
        browsers block it as mixed content. If the board&apos;s page is served over HTTPS, set a
        certificate and key below so the hub serves <code>https://</code> and <code>wss://</code>.
      </aside>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {errors.config && (
          <p className="error" role="alert">
            {errors.config}
          </p>
        )}
        {SETTING_GROUPS.map((group) => {
          const fields = view.settings
            .filter((s) => s.group === group)
            .map((s) => (
              <Field
                key={s.key}
                setting={s}
                value={values[s.key] ?? ''}
                cleared={cleared.has(s.key)}
                error={errors[s.key]}
                onChange={(v) => setValues((old) => ({ ...old, [s.key]: v }))}
                onClear={(on) =>
                  setCleared((old) => {
                    const next = new Set(old);
                    if (on) next.add(s.key);
                    else next.delete(s.key);
                    return next;
                  })
                }
              />
            ));
          // Advanced starts closed, unless one of its fields has an error to show.
          const open = group !== 'Advanced' || fields.some((f) => errors[f.key!]);
          return (
            <details key={group} className="setting-group" open={open}>
              <summary>{group}</summary>
              {fields}
            </details>
          );
        })}
        <DesktopSettings />
        <p className="restart-note" data-testid="restart-note">
          {restartNote(clients, moving)}
        </p>
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" className="primary" disabled={busy} onClick={askFirst}>
            Apply and restart
          </button>
        </div>
        {phase.kind === 'confirming' && (
          <ConfirmMove
            check={phase.check}
            onCancel={() =>
              setPhase({ kind: 'idle', note: 'Not applied: nothing was saved or restarted.' })
            }
            onConfirm={() => void applyAndRestart()}
          />
        )}
        <p role="status" aria-live="polite" data-testid="settings-status">
          {phase.kind === 'saving' && 'Saving…'}
          {phase.kind === 'restarting' &&
            `Restarting the hub${phase.reply?.portChanged ? `; moving to ${phase.reply.url}` : ''}…`}
          {phase.kind === 'idle' && phase.note}
        </p>
      </form>
      <details className="file-only">
        <summary>Settings only in the config file</summary>
        <dl>
          {fileOnly.map((s) => (
            <div key={s.key} data-file-only={s.key}>
              <dt>
                <code>{s.key}</code>
              </dt>
              <dd>
                <HelpText text={s.doc} /> Not here because {s.fileOnly}.
              </dd>
            </div>
          ))}
        </dl>
      </details>
      <LoginControls />
    </section>
  );
}

/** The step between "Apply and restart" and a restart that moves the hub. */
function ConfirmMove({
  check,
  onCancel,
  onConfirm,
}: {
  check: MoveCheck;
  onCancel(): void;
  onConfirm(): void;
}) {
  const blocked = check.blockers.length > 0;
  return (
    <div
      className={`confirm-move${blocked ? ' blocked' : ''}`}
      role="alertdialog"
      aria-labelledby="confirm-move-title"
      aria-describedby="confirm-move-text"
    >
      <h2 id="confirm-move-title">
        {blocked ? 'Open boards cannot follow this change' : 'The hub moves to a new address'}
      </h2>
      <p id="confirm-move-text">{moveWarning(check)}</p>
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={blocked ? 'danger' : 'primary'} onClick={onConfirm}>
          {blocked ? 'Apply anyway' : 'Move the hub'}
        </button>
      </div>
    </div>
  );
}

/** Waits until the hub answers on its new address, then opens the dashboard there. */
async function follow(reply: RestartReply, page: string): Promise<void> {
  const target = new URL(reply.url);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      // An opaque answer is enough: it means the new address is up.
      await fetch(`${target.origin}/healthz`, { mode: 'no-cors', cache: 'no-store' });
      // The login cookie belongs to the host name, whatever the port: it comes along.
      window.location.assign(`${reply.url}${page}`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
