// Every class on this hub, and "New class", which opens the new one.
import { useCallback, useState } from 'react';
import { OutcomeMessage } from '../../components/OutcomeMessage';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { usePolled } from '../../lib/use-polled';
import { inPlace, pageHref } from '../../lib/router';
import type { Go } from '../../lib/router';
import { classTitle, StateBadges } from './StateBadges';
import { TableScroll } from '../../components/TableScroll';

const loadClasses = () => api.classes().then((r) => r.classes);

export function ClassList({ go, changes }: { go: Go; changes: number }) {
  const list = usePolled('classes', loadClasses, changes);
  const action = useAction(list.reload);
  const [title, setTitle] = useState('');
  const open = useCallback((code: string) => go('classes', { class: code }), [go]);

  return (
    <section aria-labelledby="classes-title">
      <h1 id="classes-title">Classes</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run('Creating the class', async () => {
            const created = await api.createClass(title.trim());
            open(created.code);
          });
        }}
      >
        <label>
          Title (optional)
          <input
            value={title}
            maxLength={80}
            onChange={(e) => setTitle(e.target.value)}
            placeholder="e.g. 7B Maths"
          />
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          New class
        </button>
      </form>
      <OutcomeMessage outcome={action.outcome} />
      {list.error && (
        <p role="alert" className="error">
          Cannot load the classes: {list.error.message}
        </p>
      )}
      {!list.data ? (
        !list.error && <p>Loading…</p>
      ) : list.data.length === 0 ? (
        <p className="empty" data-testid="classes-empty">
          No classes yet. Create one, then give its code to the students.
        </p>
      ) : (
        <TableScroll label="Classes">
          <table className="class-list">
            <caption className="sr-only">Classes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">Code</th>
                <th scope="col">Students</th>
                <th scope="col">Online</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => (
                <tr key={c.code} data-class={c.code}>
                  <td>
                    <a
                      href={pageHref('classes', { class: c.code })}
                      onClick={inPlace(() => open(c.code))}
                    >
                      {classTitle(c)}
                    </a>
                  </td>
                  <td className="code">{c.code}</td>
                  <td>{c.students}</td>
                  <td>{c.online}</td>
                  <td>
                    <StateBadges c={c} />
                  </td>
                  <td>{formatDateTime(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
