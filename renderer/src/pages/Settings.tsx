// The settings teachers and IT change most, edited in the hub's config file.
// The hub checks every value; its errors show beside the field. "Apply and
// restart" saves, restarts the hub, and follows it to a new port.
import { useCallback, useEffect, useState } from 'react';
import type { ConfigView, RestartReply, SettingView } from '../../../server/admin/api-types';
import { DesktopSettings, PickFileButton } from '../components/DesktopSettings';
import { api } from '../lib/api';
import type { ApiError } from '../lib/api';
import { LoginControls } from '../components/LoginControls';

const GROUPS: { title: string; keys: string[] }[] = [
  { title: 'Network', keys: ['ServerPort', 'ServerBindAddress'] },
  { title: 'HTTPS', keys: ['CertFile', 'KeyFile'] },
  { title: 'Clients and documents', keys: ['Compression', 'Expiration'] },
  { title: 'Management API credentials', keys: ['SecretUser', 'SecretPassword'] },
  { title: 'JWT', keys: ['JWTKey', 'JWTKeyIsBase64'] },
  { title: 'Webhook', keys: ['Webhook'] },
  { title: 'Database', keys: ['Database', 'DbFile', 'DbServer'] },
];
const TRUE = new Set(['1', 'true', 'on', 'yes']);

/** The form's starting value: the file's, booleans as 1/0; secrets start empty (unchanged). */
function initial(s: SettingView): string {
  if (s.secret || s.fileValue === null) return '';
  if (s.input === 'boolean' && s.fileValue !== '') {
    return TRUE.has(s.fileValue.toLowerCase()) ? '1' : '0';
  }
  return s.fileValue;
}

function overrideText(s: SettingView): string | undefined {
  if (s.origin === 'env')
    return `Overridden by the environment variable ${s.envName}: the file's value applies only without it.`;
  if (s.origin === 'flag')
    return "Overridden by a command-line flag: the file's value applies only without it.";
  return undefined;
}

type Phase =
  | { kind: 'idle'; note?: string }
  | { kind: 'saving' }
  /** `reply` is missing when the answer was lost as the hub went down. */
  | { kind: 'restarting'; reply?: RestartReply; before: number | undefined };

export function Settings({ startedAt, page }: { startedAt: number | undefined; page: string }) {
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
        {GROUPS.map((g) => (
          <fieldset key={g.title}>
            <legend>{g.title}</legend>
            {g.keys.map((key) => {
              const s = byKey.get(key);
              return s ? (
                <Field
                  key={key}
                  setting={s}
                  value={values[key] ?? ''}
                  cleared={cleared.has(key)}
                  error={errors[key]}
                  onChange={(v) => setValues((old) => ({ ...old, [key]: v }))}
                  onClear={(on) =>
                    setCleared((old) => {
                      const next = new Set(old);
                      if (on) next.add(key);
                      else next.delete(key);
                      return next;
                    })
                  }
                />
              ) : null;
            })}
          </fieldset>
        ))}
        <DesktopSettings />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void applyAndRestart()}
          >
            Apply and restart
          </button>
        </div>
        <p role="status" aria-live="polite" data-testid="settings-status">
          {phase.kind === 'saving' && 'Saving…'}
          {phase.kind === 'restarting' &&
            `Restarting the hub${phase.reply?.portChanged ? `; moving to ${phase.reply.url}` : ''}…`}
          {phase.kind === 'idle' && phase.note}
        </p>
      </form>
      <LoginControls />
    </section>
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

interface FieldProps {
  setting: SettingView;
  value: string;
  cleared: boolean;
  error: string | undefined;
  onChange(v: string): void;
  onClear(on: boolean): void;
}

function Field({ setting: s, value, cleared, error, onChange, onClear }: FieldProps) {
  const id = `setting-${s.key}`;
  const override = overrideText(s);
  const described = [`${id}-doc`, error ? `${id}-error` : '', override ? `${id}-override` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: s.key,
    'aria-describedby': described,
    'aria-invalid': error ? true : undefined,
  } as const;
  let input;
  if (s.input !== 'text') {
    const choices = s.choices?.map((c) => [c, c]) ?? [
      ['1', 'On'],
      ['0', 'Off'],
    ];
    input = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Default ({s.defaultText})</option>
        {choices.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    );
  } else if (s.secret) {
    input = (
      <input
        {...common}
        type="password"
        autoComplete="off"
        value={value}
        disabled={cleared}
        placeholder={s.isSet ? 'set (type to replace)' : 'not set'}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type="text"
        inputMode={s.key === 'ServerPort' || s.key === 'Expiration' ? 'numeric' : undefined}
        value={value}
        placeholder={s.defaultText}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>
        {s.key}
        {override && <span className="badge warn">overridden</span>}
      </label>
      {input}
      {(s.key === 'CertFile' || s.key === 'KeyFile') && (
        <PickFileButton kind={s.key === 'CertFile' ? 'cert' : 'key'} onPick={onChange} />
      )}
      {s.secret && s.isSet && (
        <label className="inline">
          <input type="checkbox" checked={cleared} onChange={(e) => onClear(e.target.checked)} />{' '}
          Remove
        </label>
      )}
      <small id={`${id}-doc`} className="muted">
        {s.doc}{' '}
        {s.secret ? (
          ''
        ) : (
          <>
            Running: <code>{s.value === '' ? '(empty)' : s.value}</code>
          </>
        )}
      </small>
      {override && (
        <small id={`${id}-override`} className="warn-text">
          {override}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}
