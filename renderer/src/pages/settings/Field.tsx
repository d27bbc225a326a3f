// One setting on the Settings page: its label in words with the config key
// small beside it, the input (a switch-like choice, a list, a secret, text, or
// a number with its unit), its help as text, and the hub's error next to it.
import { useState } from 'react';
import type { SettingView } from '../../../../server/admin/api-types';
import { PickFileButton } from '../../components/DesktopSettings';
import { HelpText } from '../../components/HelpText';
import { fromUnits, inUnits, UNITS } from '../../lib/units';

export interface FieldProps {
  setting: SettingView;
  value: string;
  cleared: boolean;
  error: string | undefined;
  onChange(v: string): void;
  onClear(on: boolean): void;
}

function overrideText(s: SettingView): string | undefined {
  if (s.origin === 'env')
    return `Overridden by the environment variable ${s.envName}: the file's value applies only without it.`;
  if (s.origin === 'flag')
    return "Overridden by a command-line flag: the file's value applies only without it.";
  return undefined;
}

const NEVER = 'never';

/** Help in an attribute (a placeholder, an option) cannot hold code: the backticks go. */
const plain = (text: string) => text.replaceAll('`', '');

/** A number and its unit; `never` is one more "unit" for an expiration. */
function UnitInput({ s, value, onChange, common }: InputProps) {
  const unit = s.unit!;
  // The unit picked last: kept while the amount is empty, and preferred after.
  const [chosen, setChosen] = useState<string>();
  const explicitNever = value.trim().toLowerCase() === NEVER;
  // Empty means the default: shown as a hint in its own unit.
  const fallback = /^\d+$/.test(s.defaultText) ? inUnits(s.defaultText, unit) : undefined;
  const parsed = value === '' || explicitNever ? undefined : inUnits(value, unit, chosen);
  const shownUnit = explicitNever
    ? NEVER
    : (parsed?.unit ??
      chosen ??
      (s.allowsNever && s.defaultText === NEVER ? NEVER : (fallback?.unit ?? UNITS[unit][0]![0])));
  const never = shownUnit === NEVER;
  const amount = parsed?.amount ?? '';
  const hint = never ? '' : fallback ? `${fallback.amount} (default)` : plain(s.defaultText);
  return (
    <span className="with-unit">
      <input
        {...common}
        type="text"
        inputMode="numeric"
        value={amount}
        disabled={never}
        placeholder={hint}
        onChange={(e) => onChange(fromUnits(e.target.value, shownUnit, unit))}
      />
      <select
        id={`${common.id}-unit`}
        aria-label={`Unit of ${s.label}`}
        value={shownUnit}
        onChange={(e) => {
          const next = e.target.value;
          setChosen(next);
          onChange(next === NEVER ? NEVER : amount === '' ? '' : fromUnits(amount, next, unit));
        }}
      >
        {UNITS[unit].map(([name]) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
        {s.allowsNever && <option value={NEVER}>never</option>}
      </select>
    </span>
  );
}

interface InputProps {
  s: SettingView;
  value: string;
  cleared: boolean;
  onChange(v: string): void;
  common: {
    id: string;
    name: string;
    'aria-describedby': string;
    'aria-invalid': true | undefined;
  };
}

function Input(props: InputProps) {
  const { s, value, cleared, onChange, common } = props;
  if (s.input !== 'text') {
    const choices = s.choices?.map((c) => [c, c]) ?? [
      ['1', 'On'],
      ['0', 'Off'],
    ];
    return (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Default ({plain(s.defaultText)})</option>
        {choices.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    );
  }
  if (s.secret) {
    return (
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
  }
  if (s.unit) return <UnitInput {...props} />;
  return (
    <input
      {...common}
      type="text"
      inputMode={s.key === 'ServerPort' ? 'numeric' : undefined}
      value={value}
      placeholder={plain(s.defaultText)}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function Field({ setting: s, value, cleared, error, onChange, onClear }: FieldProps) {
  const id = `setting-${s.key}`;
  const override = overrideText(s);
  const described = [`${id}-doc`, error ? `${id}-error` : '', override ? `${id}-override` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: s.key,
    'aria-describedby': described,
    'aria-invalid': error ? (true as const) : undefined,
  };
  const running = s.unit && /^\d+$/.test(s.value) ? inUnits(s.value, s.unit) : undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`} data-key={s.key}>
      <label htmlFor={id}>
        {s.label}
        {override && <span className="badge warn">overridden</span>}
      </label>
      <code className="setting-key" aria-hidden="true">
        {s.key}
      </code>
      <Input s={s} value={value} cleared={cleared} onChange={onChange} common={common} />
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
        <HelpText text={s.doc} />{' '}
        {!s.secret && (
          <>
            Running:{' '}
            <code>
              {s.value === '' ? '(empty)' : running ? `${running.amount} ${running.unit}` : s.value}
            </code>
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
