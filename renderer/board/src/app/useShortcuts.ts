// The board's keyboard shortcuts: undo and redo, delete, zoom, and one key per
// tool. On a view-only board only the view keys work.
import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';
import type { BoardSession } from './session';
import { TOOLS } from './tools';
import type { Tool } from './tools';

export function useShortcuts(
  session: RefObject<BoardSession | null>,
  canEdit: boolean,
  setTool: (tool: Tool) => void,
): void {
  const editable = useRef(canEdit);
  editable.current = canEdit;
  const chooseTool = useRef(setTool);
  chooseTool.current = setTool;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = session.current;
      if (!s || (e.target as HTMLElement).closest('input, textarea')) return;
      const key = e.key.toLowerCase();
      const edit = editable.current;
      if ((e.ctrlKey || e.metaKey) && key === 'z') {
        e.preventDefault();
        if (!edit) return;
        if (e.shiftKey) s.model.redo();
        else s.model.undo();
      } else if ((e.ctrlKey || e.metaKey) && key === 'y') {
        e.preventDefault();
        if (edit) s.model.redo();
      } else if (e.ctrlKey || e.metaKey || e.altKey) {
        return;
      } else if (key === 'delete' || key === 'backspace') {
        if (edit) s.deleteSelection();
      } else if (key === '+' || key === '=') {
        s.zoom(1.25);
      } else if (key === '-') {
        s.zoom(1 / 1.25);
      } else if (key === '0') {
        s.fitView();
      } else {
        const tool = TOOLS.find((t) => t.key === key);
        if (tool && edit) chooseTool.current(tool.tool);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);
}
