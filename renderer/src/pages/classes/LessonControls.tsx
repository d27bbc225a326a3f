// The teacher's controls over the whole class: the board, the switches the
// hub enforces at once, and the two actions that cannot be undone.
import type { ClassDetail, ClassPatch } from '../../../../server/admin/api-types';
import type { ConfirmRequest } from '../../components/Confirm';
import { Switch } from '../../components/Switch';
import { api } from '../../lib/api';
import type { Action } from '../../lib/use-action';
import { classTitle } from './StateBadges';

/** The class-wide switches the hub applies at once to every student's board. */
const SWITCHES = [
  {
    key: 'viewOnly',
    label: 'Whole board view-only',
    hint: 'Students see the board but cannot draw.',
    doing: 'Changing view-only',
  },
  {
    key: 'locked',
    label: 'Lock screens',
    hint: "Students' boards are hidden; what you draw meanwhile reaches them when you unlock.",
    doing: 'Locking screens',
  },
  {
    key: 'joinOpen',
    label: 'Joining open',
    hint: 'New students can join with the code.',
    doing: 'Changing joining',
  },
  {
    key: 'chatOpen',
    label: 'Chat',
    hint: 'Students can write to the class in the chat on their board. Off closes it for them at once.',
    doing: 'Changing the chat',
  },
] as const;

interface Props {
  c: ClassDetail;
  action: Action;
  confirm(request: ConfirmRequest): void;
  onDeleted(): void;
}

export function LessonControls({ c, action, confirm, onDeleted }: Props) {
  const patch = (what: string, p: ClassPatch) =>
    action.run(what, () => api.patchClass(c.code, p)).then(() => undefined);
  const name = `“${classTitle(c)}” (${c.code})`;
  return (
    <article className="card" aria-labelledby="controls-title">
      <h2 id="controls-title">Lesson</h2>
      <p>
        <a className="button primary" href={c.teacherUrl} target="_blank" rel="noopener">
          Open teacher board
        </a>
      </p>
      {SWITCHES.map((s) => (
        <Switch
          key={s.key}
          label={s.label}
          hint={s.hint}
          checked={c[s.key]}
          disabled={action.busy}
          onChange={(on) => patch(s.doing, { [s.key]: on })}
        />
      ))}
      <div className="actions">
        <button
          type="button"
          className="danger"
          disabled={action.busy}
          onClick={() =>
            confirm({
              title: 'Clear the board?',
              message: `Everything drawn on the board of ${name} is removed, for everyone in the class. This cannot be undone.`,
              action: 'Clear board',
              onConfirm: () =>
                void action.run(
                  'Clearing the board',
                  () => api.clearBoard(c.code),
                  (r) => `Board cleared (${r.cleared} removed).`,
                ),
            })
          }
        >
          Clear board
        </button>
        <button
          type="button"
          className="danger"
          disabled={action.busy}
          onClick={() =>
            confirm({
              title: 'Delete this class?',
              message: `Class ${name} and its member list are deleted, and everyone in it is disconnected. This cannot be undone.`,
              action: 'Delete class',
              onConfirm: () =>
                void action
                  .run('Deleting the class', () => api.deleteClass(c.code))
                  .then((ok) => ok && onDeleted()),
            })
          }
        >
          Delete class
        </button>
      </div>
    </article>
  );
}
