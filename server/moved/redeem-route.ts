// POST /api/moved/redeem on the hub at its new address: the board page that
// arrived with `#handoff=<code>` trades the code, once, for what its page at
// the old origin kept (handoffs.ts). A wrong or used code is a 404 and a log
// line with the client's address; codes are 144 random bits, so guessing one
// is not a way in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger';
import { HttpError, sendJson } from '../transport/reply';
import type { HttpRoute } from '../transport/routes';
import type { Handoffs } from './handoffs';
import { postedJson } from './json-post';

export const REDEEM_PATH = '/api/moved/redeem';

export function redeemRoute(handoffs: Handoffs, log: Logger): HttpRoute {
  return {
    name: 'moved-redeem',
    path: { matches: (p) => p === REDEEM_PATH },
    handle: async (req: IncomingMessage, res: ServerResponse) => {
      const client = req.socket.remoteAddress;
      try {
        const body = await postedJson(req, 1024);
        const handoff = handoffs.redeem(body?.handoff);
        if (!handoff) throw new HttpError(404, 'this handoff is unknown, used or expired');
        sendJson(res, 200, handoff);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        log.warn({ client, status: err.status, err: err.message }, 'handoff not redeemed');
        sendJson(res, err.status, { error: err.message }, err.headers);
      }
    },
  };
}
