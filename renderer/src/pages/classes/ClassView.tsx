// One class, kept live: polled every 2 s while visible and reloaded on joins
// and leaves, so students appear as they arrive.
import { useCallback } from 'react';
import type { ConfirmRequest } from '../../components/Confirm';
import { OutcomeMessage } from '../../components/OutcomeMessage';
import { api, ApiError } from '../../lib/api';
import { useAction } from '../../lib/use-action';
import { usePolled } from '../../lib/use-polled';
import { inPlace, pageHref } from '../../lib/router';
import type { Go } from '../../lib/router';
import { JoinCard } from './JoinCard';
import { LessonControls } from './LessonControls';
import { Members } from './Members';
import { classTitle, StateBadges } from './StateBadges';

interface Props {
  code: string;
  go: Go;
  confirm(request: ConfirmRequest): void;
  changes: number;
}

export function ClassView({ code, go, confirm, changes }: Props) {
  const load = useCallback(() => api.classDetail(code), [code]);
  const detail = usePolled(code, load, changes);
  const action = useAction(detail.reload);
  const back = (
    <p>
      <a href={pageHref('classes')} onClick={inPlace(() => go('classes'))}>
        ← All classes
      </a>
    </p>
  );
  const gone = detail.error instanceof ApiError && detail.error.status === 404;
  if (gone || !detail.data) {
    return (
      <section aria-labelledby="class-title">
        {back}
        <h1 id="class-title">Class {code}</h1>
        {gone ? (
          <p role="alert">There is no class {code} on this hub (it may have been deleted).</p>
        ) : detail.error ? (
          <p role="alert" className="error">
            Cannot load the class: {detail.error.message}
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </section>
    );
  }
  const c = detail.data;
  return (
    <section aria-labelledby="class-title">
      {back}
      <div className="class-heading">
        <h1 id="class-title">{classTitle(c)}</h1>
        <StateBadges c={c} />
      </div>
      <OutcomeMessage outcome={action.outcome} />
      {detail.error && (
        <p role="alert" className="error">
          Cannot refresh the class: {detail.error.message}
        </p>
      )}
      <div className="class-top">
        <JoinCard c={c} />
        <LessonControls c={c} action={action} confirm={confirm} onDeleted={() => go('classes')} />
      </div>
      <Members c={c} action={action} confirm={confirm} />
    </section>
  );
}
