// Every live session of every protocol: sortable, filterable, a row expands
// to its clients. Kicking and deleting ask first.
import { Fragment, useMemo, useState } from 'react';
import type { SessionView, Snapshot } from '../../../server/admin/api-types';
import type { ConfirmRequest } from '../components/Confirm';
import { api } from '../lib/api';
import { ago, formatBytes, formatTime } from '../lib/format';
import { TableScroll } from '../components/TableScroll';

type SortKey = 'protocol' | 'name' | 'clients' | 'bytes' | 'createdAt' | 'lastActivity';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'protocol', label: 'Protocol' },
  { key: 'name', label: 'Session' },
  { key: 'clients', label: 'Clients' },
  { key: 'bytes', label: 'Traffic' },
  { key: 'createdAt', label: 'Started' },
  { key: 'lastActivity', label: 'Last activity' },
];

function sortValue(s: SessionView, key: SortKey): string | number {
  return key === 'clients' ? s.clients.length : s[key];
}

interface Props {
  snapshot: Snapshot;
  confirm(request: ConfirmRequest): void;
  refresh(): void;
}

export function Sessions({ snapshot, confirm, refresh }: Props) {
  const [filter, setFilter] = useState('');
  const [protocol, setProtocol] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: 'lastActivity',
    descending: true,
  });
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState('');

  const protocols = useMemo(
    () => [...new Set(snapshot.sessions.map((s) => s.protocol))].sort(),
    [snapshot.sessions],
  );
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const matches = (s: SessionView) =>
      (!protocol || s.protocol === protocol) &&
      (!needle ||
        [s.name, s.protocol, ...s.clients.flatMap((c) => [c.user, c.remoteAddress, c.id])].some(
          (v) => v.toLowerCase().includes(needle),
        ));
    const list = snapshot.sessions.filter(matches);
    list.sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sort.descending ? -order : order;
    });
    return list;
  }, [snapshot.sessions, filter, protocol, sort]);

  const toggle = (id: string) =>
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const act = (promise: Promise<unknown>, done: string) =>
    promise.then(
      () => {
        setMessage(done);
        refresh();
      },
      (e: Error) => setMessage(`Failed: ${e.message}`),
    );

  const joinUrl = snapshot.server.join?.preferredUrl;
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <div className="toolbar">
        <label>
          Filter
          <input
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="session, user or address"
          />
        </label>
        <label>
          Protocol
          <select value={protocol} onChange={(e) => setProtocol(e.target.value)}>
            <option value="">All</option>
            {protocols.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
      </div>
      <p role="status" aria-live="polite" className="muted">
        {message}
      </p>
      {snapshot.sessions.length === 0 ? (
        <p className="empty" data-testid="sessions-empty">
          No sessions yet — students join at{' '}
          {joinUrl ? <a href={joinUrl}>{joinUrl}</a> : 'the join address on the Overview'}.
        </p>
      ) : (
        <TableScroll label="Sessions">
          <table className="sessions" data-testid="sessions-table">
            <caption className="sr-only">
              Live sessions, sorted by{' '}
              {COLUMNS.find((c) => c.key === sort.key)!.label.toLowerCase()}
            </caption>
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Expand</span>
                </th>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    scope="col"
                    aria-sort={
                      sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'
                    }
                  >
                    <button
                      type="button"
                      className="sort"
                      onClick={() =>
                        setSort((s) => ({
                          key: c.key,
                          descending: s.key === c.key ? !s.descending : false,
                        }))
                      }
                    >
                      {c.label}
                      <span aria-hidden="true">
                        {sort.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
                      </span>
                    </button>
                  </th>
                ))}
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <Fragment key={s.id}>
                  <tr data-session={s.id}>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open.has(s.id)}
                        aria-controls={`clients-${s.id}`}
                        aria-label={`Clients of ${s.name}`}
                        onClick={() => toggle(s.id)}
                      >
                        {open.has(s.id) ? '−' : '+'}
                      </button>
                    </td>
                    <td>{s.protocol}</td>
                    <td className="name">{s.name}</td>
                    <td>{s.clients.length}</td>
                    <td>{formatBytes(s.bytes)}</td>
                    <td>{formatTime(s.createdAt)}</td>
                    <td>{ago(s.lastActivity)}</td>
                    <td className="actions">
                      <button
                        type="button"
                        onClick={() =>
                          confirm({
                            title: 'Disconnect everyone?',
                            message: `All ${s.clients.length} clients of ${s.protocol} session “${s.name}” will be disconnected. They may reconnect.`,
                            action: 'Disconnect all',
                            onConfirm: () =>
                              act(api.kickSession(s.id), `Disconnected session ${s.name}.`),
                          })
                        }
                      >
                        Kick
                      </button>
                      {s.protocol === 'zwibbler' && (
                        <button
                          type="button"
                          className="danger"
                          onClick={() =>
                            confirm({
                              title: 'Delete this document?',
                              message: `Document “${s.name}” and everything drawn on it will be deleted, and its clients disconnected. This cannot be undone.`,
                              action: 'Delete document',
                              onConfirm: () =>
                                act(api.deleteDocument(s.name), `Deleted document ${s.name}.`),
                            })
                          }
                        >
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                  {open.has(s.id) && (
                    <tr id={`clients-${s.id}`} className="clients-row">
                      <td colSpan={COLUMNS.length + 2}>
                        <table className="clients">
                          <caption className="sr-only">Clients of {s.name}</caption>
                          <thead>
                            <tr>
                              <th scope="col">Client</th>
                              <th scope="col">Address</th>
                              <th scope="col">User</th>
                              <th scope="col">Permissions</th>
                              <th scope="col">Connected</th>
                              <th scope="col">Traffic</th>
                              <th scope="col">Actions</th>
                            </tr>
                          </thead>
                          <tbody>
                            {s.clients.map((c) => (
                              <tr key={c.id}>
                                <td>{c.id}</td>
                                <td>{c.remoteAddress}</td>
                                <td>{c.user || '—'}</td>
                                <td>{c.permissions || '—'}</td>
                                <td>{formatTime(c.connectedAt)}</td>
                                <td>{formatBytes(c.bytesIn + c.bytesOut)}</td>
                                <td>
                                  <button
                                    type="button"
                                    onClick={() =>
                                      confirm({
                                        title: 'Disconnect this client?',
                                        message: `Client ${c.id} (${c.remoteAddress}) will be disconnected. It may reconnect.`,
                                        action: 'Disconnect',
                                        onConfirm: () =>
                                          act(api.kickClient(c.id), `Disconnected client ${c.id}.`),
                                      })
                                    }
                                  >
                                    Kick
                                  </button>
                                </td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {snapshot.sessions.length > 0 && rows.length === 0 && (
        <p className="empty">No session matches the filter.</p>
      )}
    </section>
  );
}
