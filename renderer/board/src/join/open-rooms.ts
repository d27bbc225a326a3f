// Whether this hub opens boards without a class (ClassOpenRooms): the hub
// writes it into the page's meta tag. The hub refuses such rooms itself as
// well; the page only says so before trying.
import { OPEN_ROOMS_META } from '../class/types';

export function openRoomsAllowed(): boolean {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${OPEN_ROOMS_META}"]`);
  return meta?.content !== 'off';
}

/** What the student reads when a room name is typed on a hub with open rooms off. */
export const openRoomsOff = (name: string): string =>
  `There is no open board "${name}": this hub opens class boards only. Type the class code from your teacher (like K7Q M2P).`;
