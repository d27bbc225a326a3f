// WebSocket close codes used by every protocol. Standard codes where RFC 6455
// has one; the 4000 range mirrors HTTP statuses so that a reason is guessable
// from the number alone (as hocuspocus does with 4401/4403).
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  /** The hub moved (its old port, for a while after a restart): the reason is its new base URL. */
  Moved: 4308,
  BadRequest: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  NotFound: 4404,
  InitTimeout: 4408,
  AlreadyExists: 4409,
  InvalidOffset: 4416,
  /** An edit the room's roles do not allow (classes): the client's copy has diverged. */
  EditRefused: 4422,
} as const;

/** The close code for a refused admission's HTTP-like status (a room's gate). */
export const CLOSE_FOR_STATUS = {
  401: CloseCode.Unauthorized,
  403: CloseCode.Forbidden,
  404: CloseCode.NotFound,
  // Too many failed tokens or class codes from the address (docs/operating.md#limits-per-address).
  429: CloseCode.PolicyViolation,
} as const;

/** A close reason must fit in 123 bytes of UTF-8 (RFC 6455 §5.5). */
export function clampReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= 123) return reason;
  return (
    bytes
      .subarray(0, 120)
      .toString('utf8')
      .replace(/\uFFFD$/, '') + '...'
  );
}
