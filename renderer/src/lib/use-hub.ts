// The dashboard's one source of live state: the snapshot (refreshed on joins
// and leaves, and every few seconds for the traffic counters), the stats
// samples for the chart, the log tail, and the failing writes, all fed by the
// event stream.
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  LogEntry,
  Snapshot,
  StatsSample,
  StorageFaultView,
} from '../../../server/admin/api-types';
import { api, ApiError } from './api';
import { connectEvents } from './events';
import type { StreamStatus } from './events';

const MAX_SAMPLES = 3600;
const MAX_LOG_LINES = 2000;
const REFRESH_MS = 5000;

export interface HubState {
  snapshot: Snapshot | undefined;
  error: string | undefined;
  samples: StatsSample[];
  logs: LogEntry[];
  /** Writes the hub cannot commit now; [] when all is well. */
  faults: StorageFaultView[];
  status: StreamStatus;
  /** Changes on every hub (re)start. */
  startedAt: number | undefined;
  /** Counts bursts of joins and leaves, so that pages with their own data refetch. */
  joinsAndLeaves: number;
  refresh(): void;
}

const keep = <T>(list: T[], max: number) => (list.length > max ? list.slice(-max) : list);

export function useHub(): HubState {
  const [snapshot, setSnapshot] = useState<Snapshot>();
  const [error, setError] = useState<string>();
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [logs, setLogs] = useState<LogEntry[]>([]);
  const [faults, setFaults] = useState<StorageFaultView[]>([]);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [startedAt, setStartedAt] = useState<number>();
  const [joinsAndLeaves, setJoinsAndLeaves] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);

  const refresh = useCallback(() => {
    api.snapshot().then(
      (s) => {
        setSnapshot(s);
        setError(undefined);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setStatus('unauthorized');
        setError((e as Error).message);
      },
    );
  }, []);

  /** Joins come in bursts (a class arriving): one snapshot for the burst. */
  const refreshSoon = useCallback(() => {
    clearTimeout(pending.current);
    pending.current = setTimeout(() => {
      refresh();
      setJoinsAndLeaves((n) => n + 1);
    }, 150);
  }, [refresh]);

  useEffect(() => {
    const stop = connectEvents((e) => {
      switch (e.type) {
        case 'hello':
          setStartedAt(e.data.startedAt);
          refresh();
          api.logs('limit=500').then(
            ({ lines }) => {
              const last = lines[lines.length - 1]?.time ?? 0;
              setLogs((live) =>
                keep([...lines, ...live.filter((l) => l.time > last)], MAX_LOG_LINES),
              );
            },
            () => undefined,
          );
          return;
        case 'history':
          return setSamples(e.data);
        case 'stats':
          return setSamples((s) => keep([...s, e.data], MAX_SAMPLES));
        case 'log':
          return setLogs((l) => keep([...l, e.data], MAX_LOG_LINES));
        case 'storage-faults':
          return setFaults(e.data);
        default:
          return refreshSoon();
      }
    }, setStatus);
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      stop();
      clearInterval(timer);
      clearTimeout(pending.current);
    };
  }, [refresh, refreshSoon]);

  return { snapshot, error, samples, logs, faults, status, startedAt, joinsAndLeaves, refresh };
}
