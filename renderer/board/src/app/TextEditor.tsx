// The text tool's editor, placed where the board was tapped or over the text
// being edited. Nothing typed is thrown away: Escape, a press anywhere else,
// Ctrl/Cmd+Enter and Done all commit it; Enter starts a new line.
import { useEffect, useRef, useState } from 'react';

export interface TextEditorProps {
  /** Screen position (CSS px, relative to the board) of the text's top left. */
  at: [number, number];
  /** The text being edited; empty for a new one. */
  initial?: string;
  /** The text's size on screen, so that the editor shows it as the board will. */
  fontPx: number;
  onDone: (text: string) => void;
}

export function TextEditor(props: TextEditorProps) {
  const [text, setText] = useState(props.initial ?? '');
  const latest = useRef(text);
  latest.current = text;
  const box = useRef<HTMLDivElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const finished = useRef(false);
  const onDone = useRef(props.onDone);
  onDone.current = props.onDone;
  // Escape, a press elsewhere, then the blur that follows must commit once.
  const finish = () => {
    if (finished.current) return;
    finished.current = true;
    onDone.current(latest.current);
  };

  useEffect(() => {
    // Editing: the caret after the text, to go on writing.
    const end = area.current?.value.length ?? 0;
    area.current?.setSelectionRange(end, end);
    // A press outside commits, and on the board it does nothing else: no new
    // text box under the finger, no stroke.
    const outside = (e: PointerEvent) => {
      const target = e.target as Element;
      if (box.current?.contains(target)) return;
      if (target.closest?.('.surface canvas')) {
        e.stopPropagation();
        e.preventDefault();
      }
      finish();
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, []);

  const rows = Math.min(12, text.split('\n').length);
  return (
    <div className="text-editor" ref={box} style={place(props.at)}>
      <textarea
        ref={area}
        aria-label="Text to add"
        style={{ fontSize: `${Math.max(12, Math.min(64, props.fontPx))}px` }}
        value={text}
        rows={rows}
        autoFocus
        maxLength={500}
        onChange={(e) => setText(e.target.value)}
        onBlur={finish}
        onKeyDown={(e) => {
          // The board's shortcuts must not see the letters typed here.
          e.stopPropagation();
          if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
            e.preventDefault();
            finish();
          }
        }}
      />
      <button
        type="button"
        className="text-done"
        // Keeps the focus in the text, so that the blur does not commit first.
        onPointerDown={(e) => e.preventDefault()}
        onClick={finish}
        title="Done (Ctrl+Enter)"
      >
        Done
      </button>
    </div>
  );
}

/** At the tapped point, but never so far right that the text or Done leave the board. */
function place([x, y]: [number, number]) {
  const left = `min(${x}px, calc(100% - 15rem))`;
  return { left, top: y, maxWidth: `calc(100% - ${left} - 0.25rem)` };
}
