// Chat rooms with members (classes) are opened through a gate the hub plugs
// into the chat, as class boards are into the Yjs endpoint: the chat never
// learns what a class is. The gate says who the client is, by the name the
// hub knows them by, and what they may do.
import type { Permissions } from '../../hub/permissions';

export type ChatAdmission =
  /** 404: no such room. 429: too many failed tries, or connections, from the address or member. */
  | { ok: false; status: 401 | 403 | 404 | 429; reason: string }
  | {
      ok: true;
      /** Who the connection is, for the session registry (kicks and live permissions find it by this). */
      userId: string;
      /** The name every message goes out under: the client cannot choose it. */
      name: string;
      /** Sent with the name (`teacher`, `student`): the hub's word, not the client's. */
      role: string;
      /** `write` false: the member reads the chat but cannot post. */
      permissions: Permissions;
    };

export interface ChatGate {
  /** `room` is the path after `<ChatPath>/`; `address` is the client's, for the limits on guessing. */
  admit(room: string, token: string | undefined, address: string): Promise<ChatAdmission>;
}
