// The real Socket.IO v2 client (socket.io-client 2.5, the version the original
// workspaces client loads) wrapped for tests: every server event is recorded,
// and a test waits for the next one of a name.
import io from 'socket.io-client-v2';
import type { ClientOptions, Socket } from 'socket.io-client-v2';

export interface AttendeeInfo {
  id: string;
  name: string;
  avatar: string;
  socket?: string;
}

export interface WorkspaceInfo {
  id: string;
  name: string;
  avatar: string;
  owner: string;
  created: number;
  token: string;
  call?: unknown;
}

export interface Created {
  workspace: WorkspaceInfo;
  attendee: AttendeeInfo;
  accessToken: string;
  nonce: unknown;
}

export interface Granted extends Created {
  attendees: Record<string, AttendeeInfo>;
  call?: unknown;
}

/** Every event the workspaces server sends. */
export const SERVER_EVENTS = [
  'alert',
  'created',
  'destroyed',
  'attendance-granted',
  're-attendance-granted',
  'full',
  'attend',
  'leave',
  'kicked',
  'attendees',
  'iceservers',
  'ring',
  'answer',
  'busy',
  'hangup',
  'negotiation',
  'icecandidate',
  'mic-toggle',
  'cam-toggle',
] as const;

const open = new Set<WorkspaceClient>();

export class WorkspaceClient {
  /** Every server event so far, in order. */
  readonly log: { event: string; data: unknown }[] = [];
  private readonly taken = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    for (const event of SERVER_EVENTS) {
      socket.on(event, (data: unknown) => {
        this.log.push({ event, data });
        for (const wake of [...this.waiters]) wake();
      });
    }
  }

  static connect(url: string, options: ClientOptions = {}): Promise<WorkspaceClient> {
    // forceNode: the `ws` package, as the client had on Node 20. From Node 22 it
    // would pick Node's global WebSocket, which sends no extraHeaders (Origin).
    const socket = io(url, {
      forceNew: true,
      reconnection: false,
      timeout: 5000,
      forceNode: true,
      ...options,
    });
    const client = new WorkspaceClient(socket);
    open.add(client);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(client));
      socket.once('connect_error', (err: Error) => {
        void client.close();
        reject(err);
      });
    });
  }

  emit(event: string, data: unknown): void {
    this.socket.emit(event, data);
  }

  /** Payloads of `event` received so far. */
  received(event: string): unknown[] {
    return this.log.filter((e) => e.event === event).map((e) => e.data);
  }

  /** The next `event` not returned before (waits up to `timeoutMs`). */
  next<T = unknown>(event: string, timeoutMs = 5000): Promise<T> {
    const index = this.taken.get(event) ?? 0;
    this.taken.set(event, index + 1);
    return this.until(`${event} #${index + 1}`, timeoutMs, () => {
      const all = this.received(event);
      return all.length > index ? { value: all[index] as T } : undefined;
    });
  }

  /** The first `event` (received before or after the call) whose payload passes `match`. */
  waitFor<T = unknown>(event: string, match: (data: T) => boolean, timeoutMs = 5000): Promise<T> {
    return this.until(event, timeoutMs, () => {
      const found = this.received(event).find((d) => match(d as T));
      return found === undefined ? undefined : { value: found as T };
    });
  }

  /** The first of `events` received after this call. */
  nextOf(events: readonly string[], timeoutMs = 5000): Promise<{ event: string; data: unknown }> {
    const from = this.log.length;
    return this.until(events.join(' or '), timeoutMs, () => {
      const found = this.log.slice(from).find((e) => events.includes(e.event));
      return found && { value: found };
    });
  }

  private until<T>(
    what: string,
    timeoutMs: number,
    check: () => { value: T } | undefined,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = check();
      if (done) return resolve(done.value);
      const wake = () => {
        const r = check();
        if (!r) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(r.value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        const seen = this.log.map((e) => e.event).join(', ');
        reject(new Error(`timed out waiting for ${what}; received: ${seen || 'nothing'}`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** Sends `event` and waits for the reply `reply`. */
  async request<T = unknown>(event: string, data: unknown, reply: string): Promise<T> {
    const answer = this.next<T>(reply);
    this.emit(event, data);
    return answer;
  }

  get transport(): string {
    return this.socket.io.engine.transport.name;
  }

  close(): Promise<void> {
    open.delete(this);
    if (!this.socket.connected) {
      this.socket.close();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.socket.once('disconnect', () => resolve());
      this.socket.close();
    });
  }

  /** Closes every client still open: for after() hooks. */
  static closeAll(): Promise<void> {
    return Promise.all([...open].map((c) => c.close())).then(() => undefined);
  }
}

/** `create` on a fresh connection; resolves with the client and its `created` reply. */
export async function createWorkspace(
  url: string,
  workspace: { name?: string; pin?: string; id?: string } = {},
  attendee: { name?: string; id?: string } = {},
  options: ClientOptions = {},
): Promise<{ client: WorkspaceClient; created: Created }> {
  const client = await WorkspaceClient.connect(url, options);
  const created = await client.request<Created>(
    'create',
    {
      workspace: { name: 'Class 4B', pin: '', avatar: '', ...workspace },
      attendee: { name: 'Teacher', avatar: '', ...attendee },
      nonce: 'create-nonce',
    },
    'created',
  );
  return { client, created };
}

/** `attend` on a fresh connection; resolves with the client and its first reply of `reply`. */
export async function attendWorkspace<T = Granted>(
  url: string,
  token: string,
  pin: string,
  name = 'Student',
  reply = 'attendance-granted',
): Promise<{ client: WorkspaceClient; reply: T }> {
  const client = await WorkspaceClient.connect(url);
  const answer = await client.request<T>(
    'attend',
    { workspace: { token, pin }, attendee: { name, avatar: '' }, nonce: `attend-${name}` },
    reply,
  );
  return { client, reply: answer };
}

/** What most events carry to identify their sender. */
export function as(granted: Created): {
  workspace: { id: string };
  attendee: AttendeeInfo;
  accessToken: string;
} {
  return {
    workspace: { id: granted.workspace.id },
    attendee: granted.attendee,
    accessToken: granted.accessToken,
  };
}
