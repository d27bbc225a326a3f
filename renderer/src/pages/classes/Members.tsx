// Who is in the class: the teacher, then the students in join order; per
// student, view-only and kick. Below, apart: students asking to join (let in,
// turn away) and the removed ones (let back in).
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

const order = (m: MemberView) => (m.role === 'teacher' ? 0 : 1);

export function Members({ c, action, confirm }: Props) {
  // Array.prototype.sort is stable: join order holds within each group.
  const members = c.members
    .filter((m) => !m.removed && !m.waiting)
    .sort((a, b) => order(a) - order(b));
  const waiting = c.members.filter((m) => m.waiting && !m.removed);
  const removed = c.members.filter((m) => m.removed);
  const rowProps = { code: c.code, action, confirm };
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
              <MemberRow key={m.id} m={m} {...rowProps} />
            ))}
          </tbody>
        </table>
      </TableScroll>
      {c.students === 0 && (
        <p className="muted" data-testid="no-students">
          No students yet: they appear here as they join.
        </p>
      )}
      {waiting.length > 0 && (
        <OutsideList
          title="Asking to join"
          note="They joined under the name of a removed student, or from a removed student's device. Their board stays closed until you let them in."
          members={waiting}
          {...rowProps}
        />
      )}
      {removed.length > 0 && (
        <OutsideList
          title="Removed"
          note="Removed students cannot open the board. A new join under their name, or from their device, asks you first."
          members={removed}
          {...rowProps}
        />
      )}
    </section>
  );
}

/** Students outside the class: waiting to be let in, or removed. */
function OutsideList({
  title,
  note,
  members,
  code,
  action,
  confirm,
}: { title: string; note: string; members: MemberView[] } & RowProps) {
  const id = `members-${title.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <>
      <h3 id={id}>
        {title} <span className="muted">({members.length})</span>
      </h3>
      <p className="muted">{note}</p>
      <TableScroll label={title}>
        <table className="members" aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Joined</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id} data-member={m.id} className={m.removed ? 'removed' : undefined}>
                <td className="name">
                  {m.name}
                  <span className="badge">{m.removed ? 'removed' : 'waiting'}</span>
                </td>
                <td data-label="Joined">{formatTime(m.joinedAt)}</td>
                <td className="actions">
                  <button
                    type="button"
                    aria-label={`${m.removed ? 'Let back in' : 'Let in'} ${m.name}`}
                    disabled={action.busy}
                    onClick={() =>
                      void action.run(
                        `Letting ${m.name} in`,
                        () => api.letMemberIn(code, m.id),
                        () => `${m.name} can open the board now.`,
                      )
                    }
                  >
                    {m.removed ? 'Let back in' : 'Let in'}
                  </button>
                  {!m.removed && <KickButton m={m} code={code} action={action} confirm={confirm} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

type RowProps = { code: string } & Omit<Props, 'c'>;

function KickButton({ code, m, action, confirm }: { m: MemberView } & RowProps) {
  const label = m.waiting ? 'Turn away' : 'Kick';
  return (
    <button
      type="button"
      aria-label={`${label} ${m.name}`}
      disabled={action.busy}
      onClick={() =>
        confirm({
          title: `Remove ${m.name} from the class?`,
          message: `${m.name} is disconnected at once and this join no longer opens the class. A new join under the same name, or from the same device, waits for you to let it in.`,
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
      {label}
    </button>
  );
}

/** The teacher or a student in the class (neither waiting nor removed). */
function MemberRow({ code, m, action, confirm }: { m: MemberView } & RowProps) {
  const student = m.role === 'student';
  return (
    <tr data-member={m.id}>
      <td className="name">{m.name}</td>
      <td data-label="Role">{m.role}</td>
      <td data-label="Online">
        {m.online > 0 ? (
          <span className="ok">Online{m.online > 1 ? ` (${m.online})` : ''}</span>
        ) : (
          <span className="muted">Offline</span>
        )}
      </td>
      <td data-label="Joined">{formatTime(m.joinedAt)}</td>
      <td className="view-only">
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
      <td className="actions">
        {student && <KickButton m={m} code={code} action={action} confirm={confirm} />}
      </td>
    </tr>
  );
}
