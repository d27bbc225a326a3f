// The Zwibbler management API (docs/protocols/zwibbler.md#management-api): POST
// to the socket path, HTTP Basic auth, replies as the reference gives them (an
// empty body and a `Status` header), with its bugs fixed: updateUser really
// changes stored tokens (docs/protocols/zwibbler.md#updateuser-changes-stored-tokens),
// failed logins are throttled
// (docs/protocols/zwibbler.md#failed-management-logins-are-throttled), and no
// password is ever logged (docs/protocols/zwibbler.md#secrets-stay-out-of-the-logs).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionRegistry } from '../../../hub/registry';
import { parsePermissions } from '../../../hub/permissions';
import type { Logger } from '../../../log/logger';
import { deleteDocument } from '../live-document';
import type { LiveDocuments } from '../live-document';
import type { DocumentStore } from '../../../store/types';
import { credentialsMatch, parseBasicAuth } from '../../../auth/basic-auth';
import type { Credentials } from '../../../auth/basic-auth';
import { BodyTimeoutError, BodyTooLargeError, readBody } from '../../../transport/reply';
import { MalformedFormError, parseForm } from './form';
import type { FormParams } from './form';
import type { LoginThrottle } from '../../../auth/login-throttle';
import { parseRfc1123 } from './rfc1123';

export interface ManagementOptions {
  store: DocumentStore;
  documents: LiveDocuments;
  registry: SessionRegistry;
  /** Undefined until SecretUser and SecretPassword are both set: every method then answers 401. */
  credentials: Credentials | undefined;
  throttle: LoginThrottle;
  /** Largest body accepted from an authenticated caller. */
  maxBodyBytes: number;
  /** MaxDocumentBytes: createDocument and addToken may not start a document above it. */
  maxDocumentBytes: number;
  log: Logger;
}

interface Reply {
  status: number;
  /** The `Status` header: the reference's way of saying what went wrong. */
  text?: string;
  body?: Uint8Array;
}

type Method = (p: FormParams) => Promise<Reply>;

/** What an unauthenticated caller may send: enough for the method name, never a document. */
const UNAUTHENTICATED_BODY_LIMIT = 64 * 1024;

export class ManagementApi {
  private readonly methods: Record<string, Method>;

  constructor(private readonly o: ManagementOptions) {
    this.methods = {
      createDocument: (p) => this.createDocument(p),
      deleteDocument: (p) => this.deleteDocument(p),
      dumpDocument: (p) => this.readDocument(p, true),
      checkDocument: (p) => this.readDocument(p, false),
      addToken: (p) => this.addToken(p),
      updateUser: (p) => this.updateUser(p),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, remote: string): Promise<void> {
    send(res, await this.reply(req, url, remote));
  }

  private async reply(req: IncomingMessage, url: URL, remote: string): Promise<Reply> {
    const given = parseBasicAuth(req.headers.authorization);
    const { credentials, throttle, log } = this.o;
    const authorized = credentials !== undefined && credentialsMatch(given, credentials);
    let params: FormParams;
    try {
      const limit = authorized ? this.o.maxBodyBytes : UNAUTHENTICATED_BODY_LIMIT;
      const body = await readBody(req, limit);
      params = await parseForm(req.headers['content-type'], body, url.searchParams);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return { status: 413, text: 'Request too large' };
      if (err instanceof BodyTimeoutError) return { status: 408, text: 'Request timeout' };
      if (err instanceof MalformedFormError) return { status: 400, text: 'Malformed form body' };
      throw err;
    }
    // As the reference: the method is checked before the credentials.
    const name = params.value('method');
    const method = Object.hasOwn(this.methods, name) ? this.methods[name] : undefined;
    if (!method) return { status: 400, text: "Unknown 'method' parameter" };
    const waitMs = throttle.retryAfterMs(remote);
    if (waitMs > 0) {
      return {
        status: 429,
        text: `Too many failed logins; retry in ${Math.ceil(waitMs / 1000)} s`,
      };
    }
    if (!authorized) {
      if (credentials) {
        throttle.failure(remote);
        log.warn({ remote, user: given?.user, method: name }, 'management login failed');
      }
      return { status: 401, text: 'Unauthorized' };
    }
    throttle.success(remote);
    try {
      const reply = await method(params);
      log.info({ remote, method: name, status: reply.status }, 'management call');
      return reply;
    } catch (err) {
      log.error({ remote, method: name, err: (err as Error).message }, 'management call failed');
      return { status: 500, text: (err as Error).message };
    }
  }

  private async createDocument(p: FormParams): Promise<Reply> {
    const id = p.value('documentID');
    if (!id) return missing('documentID');
    // Contents from the field, else from an uploaded file part of that name.
    let contents: Uint8Array = Buffer.from(p.value('contents'), 'utf8');
    if (contents.length === 0) contents = (await p.file('contents')) ?? contents;
    // Unlike the reference, an explicitly empty `contents=` creates an empty document
    // (docs/protocols/zwibbler.md#createdocument-can-create-an-empty-document).
    if (contents.length === 0 && !p.has('contents')) return missing('contents');
    if (contents.length > this.o.maxDocumentBytes) return documentTooLarge;
    return (await this.o.store.createDocument(id, contents)) ? { status: 200 } : { status: 409 };
  }

  private async deleteDocument(p: FormParams): Promise<Reply> {
    const id = p.value('documentID');
    if (!id) return missing('documentID');
    await deleteDocument(this.o.documents, this.o.store, id);
    return { status: 200 };
  }

  private async readDocument(p: FormParams, dump: boolean): Promise<Reply> {
    const id = p.value('documentID');
    if (!id) return missing('documentID');
    const { store } = this.o;
    if (!dump) return (await store.touchDocument(id)) === null ? { status: 404 } : { status: 200 };
    const loaded = await store.loadDocument(id, 'never-create', new Uint8Array(), 0);
    return loaded.status === 'ok' ? { status: 200, body: loaded.tail } : { status: 404 };
  }

  private async addToken(p: FormParams): Promise<Reply> {
    for (const field of ['token', 'documentID', 'userID', 'expiration']) {
      if (!p.value(field)) return missing(field);
    }
    const expiresAt = parseRfc1123(p.value('expiration'));
    if (expiresAt === undefined) return { status: 400, text: 'Incorrect expires format' };
    const contents = Buffer.from(p.value('contents'), 'utf8');
    if (contents.length > this.o.maxDocumentBytes) return documentTooLarge;
    const result = await this.o.store.addToken(
      {
        token: p.value('token'),
        documentId: p.value('documentID'),
        userId: p.value('userID'),
        permissions: p.value('permissions'),
        expiresAt,
      },
      contents,
    );
    return result === 'ok' ? { status: 200 } : { status: 409 };
  }

  private async updateUser(p: FormParams): Promise<Reply> {
    const userId = p.value('userID');
    if (!userId) return missing('userID');
    const permissions = p.value('permissions');
    await this.o.store.updateUser(userId, permissions);
    // Live connections change at once: losing `r` disconnects them
    // (docs/protocols/zwibbler.md#changing-the-permissions-of-live-clients).
    this.o.registry.setUserPermissions(userId, parsePermissions(permissions));
    return { status: 200 };
  }
}

const missing = (name: string): Reply => ({ status: 400, text: `Missing ${name}` });
/** A document that big could never take an append (the session refuses growth past the limit). */
const documentTooLarge: Reply = { status: 413, text: 'Document larger than MaxDocumentBytes' };

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | number> = {};
  if (reply.text !== undefined) headers.Status = headerSafe(reply.text);
  if (reply.status === 429) headers['Retry-After'] = /(\d+) s$/.exec(reply.text ?? '')?.[1] ?? 60;
  // The rest of a too-large or too-slow body is never read: close, or the socket sits half-read.
  if (reply.status === 413 || reply.status === 408) headers.Connection = 'close';
  if (reply.body) {
    // The reference says `text`; the bytes are opaque, so say so
    // (docs/protocols/zwibbler.md#the-content-type-of-dumpdocument).
    headers['Content-Type'] = 'application/octet-stream';
    headers['Content-Length'] = reply.body.length;
  } else headers['Content-Length'] = 0;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** Header values cannot hold control characters or non-Latin-1 text. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200);
}
