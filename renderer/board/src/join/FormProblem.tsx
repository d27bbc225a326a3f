// What is wrong with a join form, read out by screen readers as it appears.
export function FormProblem({ text }: { text: string }) {
  if (!text) return null;
  return (
    <p role="alert" className="problem">
      {text}
    </p>
  );
}
