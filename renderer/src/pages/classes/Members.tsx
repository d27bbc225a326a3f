// Who is in the class: the teacher, then the students in join order, and
// the removed ones greyed at the end. Per student: view-only and kick.
import type { ClassDetail, MemberView } from '../../../../server/admin/api-types';
import type { ConfirmRequest } from '../../components/Confirm';
import { Switch } from '../../components/Switch';
import { api } from '../../lib/api';
import { formatTime, plural } from '../../lib/format';
import type { Action } from '../../lib/use-action';
import { TableScroll } from '../../components/TableScroll';

interface Props {
  c: ClassDetail;
  action: Action;
  confirm(request: ConfirmRequest): void;
}

const order = (m: MemberView) => (m.removed ? 2 : m.role === 'teacher' ? 0 : 1);

export function Members({ c, action, confirm }: Props) {
  // Array.prototype.sort is stable: join order holds within each group.
  const members = [...c.members].sort((a, b) => order(a) - order(b));
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">
        Members{' '}
        <span className="muted">
          ({plural(c.students, 'student')}, {c.online} online)
        </span>
      </h2>
      <TableScroll label="Members">
        <table className="members">
          <caption className="sr-only">Members of the class</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Online</th>
              <th scope="col">Joined</th>
              <th scope="col">View-only</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <MemberRow key={m.id} code={c.code} m={m} action={action} confirm={confirm} />
            ))}
          </tbody>
        </table>
      </TableScroll>
      {c.students === 0 && (
        <p className="muted" data-testid="no-students">
          No students yet: they appear here as they join.
        </p>
      )}
    </section>
  );
}

function MemberRow({
  code,
  m,
  action,
  confirm,
}: { code: string; m: MemberView } & Omit<Props, 'c'>) {
  const student = m.role === 'student' && !m.removed;
  return (
    <tr data-member={m.id} className={m.removed ? 'removed' : undefined}>
      <td className="name">
        {m.name}
        {m.removed && <span className="badge">removed</span>}
      </td>
      <td>{m.role}</td>
      <td>
        {m.removed ? (
          '—'
        ) : m.online > 0 ? (
          <span className="ok">Online{m.online > 1 ? ` (${m.online})` : ''}</span>
        ) : (
          <span className="muted">Offline</span>
        )}
      </td>
      <td>{formatTime(m.joinedAt)}</td>
      <td>
        {student ? (
          <Switch
            label="View-only"
            name={`View-only for ${m.name}`}
            checked={m.viewOnly}
            disabled={action.busy}
            onChange={(on) =>
              action
                .run(`Changing view-only for ${m.name}`, () =>
                  api.setMemberViewOnly(code, m.id, on),
                )
                .then(() => undefined)
            }
          />
        ) : (
          '—'
        )}
      </td>
      <td>
        {student && (
          <button
            type="button"
            aria-label={`Kick ${m.name}`}
            disabled={action.busy}
            onClick={() =>
              confirm({
                title: `Remove ${m.name} from the class?`,
                message: `${m.name} is disconnected at once, and this join no longer opens the class. While joining is open they could join again under a new name.`,
                action: 'Kick student',
                onConfirm: () =>
                  void action.run(
                    `Kicking ${m.name}`,
                    () => api.kickMember(code, m.id),
                    () => `${m.name} was removed from the class.`,
                  ),
              })
            }
          >
            Kick
          </button>
        )}
      </td>
    </tr>
  );
}
