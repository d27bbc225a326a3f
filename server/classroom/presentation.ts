// What the teacher presents to the class: one state for spotlight (a board
// shown read-only to everyone) and "follow me" (everyone's view tracks the
// teacher's), so that a later control is one more field of the same state.
// Only the teacher's token sets it; the body is checked field by field, since
// it goes to every student's page.
import type { Presentation, Viewport } from './api-types';
import { NOT_PRESENTING, studentBoardRoom } from './api-types';
import type { Classroom, Member } from '../store/class-store';

/** Coordinates past this are no board anyone drew: a sign of a broken or hostile page. */
const MAX_COORDINATE = 1e9;
/** The widest view a page can have at its smallest zoom, with room to spare. */
const MAX_VIEW_SIZE = 1e8;

/** The class's presentation, from the JSON the store keeps (null: nothing presented). */
export function presentationOf(classroom: Classroom): Presentation {
  if (!classroom.presentation) return NOT_PRESENTING;
  const stored = JSON.parse(classroom.presentation) as Partial<Presentation>;
  return { board: stored.board ?? null, follow: stored.follow ?? null };
}

/** A presentation as the store keeps it: JSON, or null when nothing is presented. */
export const storedPresentation = (p: Presentation): string | null =>
  p.board === null && p.follow === null ? null : JSON.stringify(p);

export type PresentationCheck = { ok: true; value: Presentation } | { ok: false; reason: string };

/** The body of `PUT …/presentation`, checked against the class and its members. */
export function checkPresentation(
  body: unknown,
  classroom: Classroom,
  members: readonly Member[],
): PresentationCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'the body must be a JSON object {board, follow}' };
  }
  const { board = null, follow = null, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return { ok: false, reason: `unknown field: ${unknown.join(', ')}` };
  const boards = new Set([
    classroom.code,
    ...members
      .filter((m) => m.role === 'student')
      .map((m) => studentBoardRoom(classroom.code, m.id)),
  ]);
  if (board !== null && (typeof board !== 'string' || !boards.has(board))) {
    return { ok: false, reason: "board must be the class's board or one of its students'" };
  }
  const viewport = follow === null ? null : checkViewport(follow);
  if (viewport === undefined) {
    return {
      ok: false,
      reason: `follow must be {x, y, width, height}: finite numbers, sizes above 0 and up to ${MAX_VIEW_SIZE}`,
    };
  }
  return { ok: true, value: { board: board as string | null, follow: viewport } };
}

function checkViewport(value: unknown): Viewport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { x, y, width, height, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  const coordinate = (n: unknown): n is number =>
    typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= MAX_COORDINATE;
  const size = (n: unknown): n is number => coordinate(n) && n > 0 && n <= MAX_VIEW_SIZE;
  if (!coordinate(x) || !coordinate(y) || !size(width) || !size(height)) return undefined;
  return { x, y, width, height };
}
