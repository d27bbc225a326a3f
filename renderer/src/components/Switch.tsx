// An on/off setting the hub applies: a checkbox with the switch role (read
// as "on"/"off"). It shows the new position while the change is on its way,
// then whatever the hub reports.
import { useId, useState } from 'react';

interface Props {
  label: string;
  checked: boolean;
  disabled?: boolean;
  /** Replaces the visible label as the accessible name (say, with the student's name). */
  name?: string;
  /** Shown under the switch, and read with it. */
  hint?: string;
  /** Resolves once the hub's answer is shown; the switch does not handle errors. */
  onChange(on: boolean): Promise<void>;
}

export function Switch({ label, checked, disabled, name, hint, onChange }: Props) {
  const [pending, setPending] = useState<boolean>();
  const hintId = useId();
  return (
    <div className="switch">
      <label>
        <input
          type="checkbox"
          role="switch"
          checked={pending ?? checked}
          disabled={disabled || pending !== undefined}
          aria-label={name}
          aria-describedby={hint ? hintId : undefined}
          onChange={(e) => {
            setPending(e.target.checked);
            void onChange(e.target.checked).finally(() => setPending(undefined));
          }}
        />
        <span>{label}</span>
      </label>
      {hint && (
        <p id={hintId} className="muted">
          {hint}
        </p>
      )}
    </div>
  );
}
