// A setting's help, written in the schema with `code` in backticks, shown as
// text: the backticked parts as code, never the backticks themselves.
export function HelpText({ text }: { text: string }) {
  return (
    <>{text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>
  );
}
