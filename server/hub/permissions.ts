// Permission letters as Zwibbler tokens and JWTs carry them
// (docs/protocols/zwibbler.md#permission-letters): `r` may connect, `w` may write, `a` may set
// `admin:` keys. Other characters are ignored.

export interface Permissions {
  read: boolean;
  write: boolean;
  admin: boolean;
  /**
   * Connected, but the room's new content is held back until this clears (a
   * class's lock screens). No letter: Zwibbler tokens cannot ask for it.
   */
  withheld?: boolean;
}

export const FULL_ACCESS: Readonly<Permissions> = Object.freeze({
  read: true,
  write: true,
  admin: false,
});

export function parsePermissions(letters: string): Permissions {
  return {
    read: letters.includes('r'),
    write: letters.includes('w'),
    admin: letters.includes('a'),
  };
}

export function formatPermissions(p: Permissions): string {
  return `${p.read ? 'r' : ''}${p.write ? 'w' : ''}${p.admin ? 'a' : ''}`;
}

export function samePermissions(a: Permissions, b: Permissions): boolean {
  return formatPermissions(a) === formatPermissions(b) && !a.withheld === !b.withheld;
}
