// The token expiration format of addToken
// (docs/protocols/zwibbler.md#the-expiration-format): RFC 1123 with a zone
// abbreviation, "Sun, 22 Nov 2026 01:57:27 GMT". The reference parses it with
// Go, which takes an abbreviation it does not know as offset 0; on a server
// whose local zone is UTC that is every abbreviation, so the zone is read as GMT.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FORMAT =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) [A-Z]{3,5}$/i;

/** Unix milliseconds, or undefined if the text is not in that exact format. */
export function parseRfc1123(text: string): number | undefined {
  const m = FORMAT.exec(text.trim());
  if (!m) return undefined;
  const [day, monthName, year, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]];
  // Go matches day and month names in any case.
  const month = MONTHS.findIndex((name) => name.toLowerCase() === monthName!.toLowerCase());
  const [d, y, h, min, s] = [day, year, hour, minute, second].map(Number) as number[];
  if (month < 0 || h! > 23 || min! > 59 || s! > 59 || d! < 1) return undefined;
  const ms = Date.UTC(y!, month, d!, h!, min!, s!);
  // Date.UTC rolls 31 Feb over into March; the reference rejects it.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms;
}
