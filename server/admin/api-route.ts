// One admin API endpoint: a method, a path pattern after `<admin>/api/`, and
// its handler, which gets the pattern's groups percent-decoded.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminContext } from './context';

export type Handler = (
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  /** Group 1; `params` holds every group. */
  param: string,
  params: string[],
) => void | Promise<void>;

export interface ApiRoute {
  method: string;
  pattern: RegExp;
  handle: Handler;
}
