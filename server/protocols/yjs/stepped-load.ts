// A room's stored updates applied to its doc a turn's budget at a time. A room
// of YjsMaxRoomStructs built in one Y.applyUpdate would hold the hub's only
// thread for as long as the largest client update used to (half a second and
// more): one client could stall every other by leaving a full room and opening
// it again. So loading follows the rule of client updates
// (docs/protocols/yjs.md#update-budgets): no turn applies more than
// YjsMaxUpdateStructs, the rest waits for the next turn.
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as Y from 'yjs';
import { splitByCost, updateCost, updateSize, VALUES_PER_STRUCT } from './update-size';

/** Applies `updates` in order to `doc`, at most `maxCost` structs' worth per event-loop turn. */
export async function applyInSteps(
  doc: Y.Doc,
  updates: readonly Uint8Array[],
  maxCost: number,
): Promise<void> {
  let spent = 0;
  for (const update of updates) {
    const cost = updateCost(updateSize(update));
    // What the store holds was accepted once: a struct past today's budget is applied whole.
    const pieces =
      cost <= maxCost
        ? [{ update, cost }]
        : (splitByCost(update, maxCost, VALUES_PER_STRUCT)?.map((p) => ({
            update: p.update,
            cost: maxCost,
          })) ?? [{ update, cost }]);
    for (const piece of pieces) {
      if (spent > 0 && spent + piece.cost > maxCost) {
        await nextTurn();
        spent = 0;
      }
      Y.applyUpdate(doc, piece.update);
      spent += piece.cost;
    }
  }
}
