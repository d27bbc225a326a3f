// A failing write in a teacher's words: what stopped being saved, why, and
// what to do about it. The hub's own words (`Yjs room lesson-1`, SQLite's
// "database or disk is full") stay on the page too, small, for whoever helps.
import type { StorageFaultView } from '../../../server/admin/api-types';

export interface FaultInWords {
  what: string;
  why: string;
  todo: string;
}

function whatFails(what: string): string {
  const room = /^Yjs room (.*)$/.exec(what);
  if (room) return `Drawings on the board “${room[1]}”`;
  switch (what) {
    case 'Zwibbler documents':
      return 'Drawings on Zwibbler whiteboards';
    case 'classes':
      return 'Classes (new classes, students joining, changes)';
    case 'workspaces':
      return 'Workspaces (new workspaces and attendance)';
    case 'database file':
      return 'The hub’s data file';
    case 'Redis':
      return 'Everything the hubs keep in Redis';
    default:
      return what;
  }
}

const RETRIES = 'The hub keeps trying and carries on by itself once it can save again.';

function whyAndTodo(reason: string): { why: string; todo: string } {
  if (/Redis is unreachable/.test(reason)) {
    return {
      why: 'the hubs’ shared storage server (Redis) cannot be reached',
      todo: 'Ask whoever runs the Redis server to check it. Work waits meanwhile and is saved once Redis is back.',
    };
  }
  if (/full/i.test(reason)) {
    return {
      why: 'the disk of this computer is full',
      todo: `Free some space: delete or move large files and empty the bin. ${RETRIES}`,
    };
  }
  if (/read-?only/i.test(reason)) {
    return {
      why: 'the hub is not allowed to write its data file',
      todo: `Ask whoever set up this computer to check the data folder and the disk. ${RETRIES}`,
    };
  }
  if (/damaged|malformed|corrupt/i.test(reason)) {
    return {
      why: 'the data file is damaged',
      todo: 'Restore the newest backup as soon as you can (“Restoring a backup” in the operating guide).',
    };
  }
  if (/locked|busy/i.test(reason)) {
    return {
      why: 'another program is holding the data file',
      todo: `Close any other program using the hub’s data file. ${RETRIES}`,
    };
  }
  if (/I\/O|disk/i.test(reason)) {
    return {
      why: 'the disk reports an error',
      todo: `Check the disk (is it unplugged or failing?). ${RETRIES}`,
    };
  }
  return { why: 'the hub cannot save', todo: RETRIES };
}

export function inWords(fault: StorageFaultView): FaultInWords {
  return { what: whatFails(fault.what), ...whyAndTodo(fault.reason) };
}
