import type { ClassSummary } from '../../../../server/admin/api-types';

/** What the title shows when the teacher gave none. */
export const classTitle = (c: ClassSummary) => c.title || `Class ${c.code}`;

/** The class-wide restrictions in force, as words (not colour alone). */
export function StateBadges({ c }: { c: ClassSummary }) {
  return (
    <span className="badges" data-testid="class-state">
      {c.viewOnly && <span className="badge warn">view-only</span>}
      {c.locked && <span className="badge warn">locked</span>}
      {!c.joinOpen && <span className="badge">joining closed</span>}
      {c.chatOpen && <span className="badge">chat on</span>}
    </span>
  );
}
