// The Classes page: the list, or one class when the address says
// `classes?class=<code>` (so a reload or a bookmark opens it again).
import type { ConfirmRequest } from '../components/Confirm';
import type { Go } from '../lib/router';
import { ClassList } from './classes/ClassList';
import { ClassView } from './classes/ClassView';

interface Props {
  query: URLSearchParams;
  go: Go;
  confirm(request: ConfirmRequest): void;
  /** Bumped on joins and leaves seen on the event stream. */
  changes: number;
}

export function Classes({ query, go, confirm, changes }: Props) {
  const code = query.get('class');
  return code ? (
    <ClassView key={code} code={code} go={go} confirm={confirm} changes={changes} />
  ) : (
    <ClassList go={go} changes={changes} />
  );
}
