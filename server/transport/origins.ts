// Which web origins may use the hub from a browser (AllowedOrigins). Empty keeps
// zwibbler-service's behaviour for WebSockets (any origin) but sends no CORS
// headers, so no page can call the HTTP API with the user's browser; the
// reference reflected every origin with credentials allowed
// (docs/protocols/zwibbler.md#no-cors-headers-unless-origins-are-allowed).

export interface OriginPolicy {
  /** May a WebSocket with this Origin header connect? Clients without one always may. */
  allowsSocket(origin: string | undefined): boolean;
  /** CORS headers for an HTTP request from this origin, or undefined for none. */
  corsHeaders(origin: string | undefined): Record<string, string> | undefined;
}

const CORS_COMMON = {
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
  'Access-Control-Allow-Headers': 'Accept, Content-Type, Content-Length, Authorization',
  'Access-Control-Expose-Headers': 'Status, Content-Type, Content-Length',
};

function normalize(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

export function originPolicy(setting: string): OriginPolicy {
  const entries = setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    return { allowsSocket: () => true, corsHeaders: () => undefined };
  }
  if (entries.includes('*')) {
    return {
      allowsSocket: () => true,
      corsHeaders: (origin) =>
        origin ? { 'Access-Control-Allow-Origin': '*', ...CORS_COMMON } : undefined,
    };
  }
  const allowed = new Set(entries.map((e) => normalize(e) ?? e));
  const isAllowed = (origin: string) => allowed.has(normalize(origin) ?? origin);
  return {
    allowsSocket: (origin) => origin === undefined || isAllowed(origin),
    corsHeaders: (origin) =>
      origin && isAllowed(origin)
        ? {
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Allow-Credentials': 'true',
            Vary: 'Origin',
            ...CORS_COMMON,
          }
        : undefined,
  };
}

/**
 * `policy`, and sockets from `extra()` too: the hub's own former origins after
 * it moved, whose open boards reconnect from their old page (server/moved/).
 */
export function allowingAlso(policy: OriginPolicy, extra: () => readonly string[]): OriginPolicy {
  return {
    allowsSocket: (origin) =>
      policy.allowsSocket(origin) ||
      (origin !== undefined && extra().includes(normalize(origin) ?? origin)),
    corsHeaders: (origin) => policy.corsHeaders(origin),
  };
}
