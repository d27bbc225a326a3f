import { useRef, useState } from 'react';

/** The text tool's input, placed where the board was tapped. Enter adds, Escape cancels. */
export function TextEditor(props: { at: [number, number]; onDone: (text: string | null) => void }) {
  const [text, setText] = useState('');
  const finished = useRef(false);
  // Enter, then the blur that follows, must add the text once.
  const finish = (value: string | null) => {
    if (finished.current) return;
    finished.current = true;
    props.onDone(value);
  };
  return (
    <input
      className="text-editor"
      aria-label="Text to add"
      style={{ left: props.at[0], top: props.at[1] }}
      value={text}
      autoFocus
      maxLength={500}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => finish(text)}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') finish(text);
        if (e.key === 'Escape') finish(null);
      }}
    />
  );
}
