// A modal confirmation on the native <dialog>: focus moves into it, Escape
// cancels, and focus returns to the button that opened it.
import { useEffect, useRef } from 'react';

export interface ConfirmRequest {
  title: string;
  message: string;
  action: string;
  onConfirm(): void;
}

export function Confirm({
  request,
  onClose,
}: {
  request: ConfirmRequest | undefined;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (request && !dialog.open) dialog.showModal();
    if (!request && dialog.open) dialog.close();
  }, [request]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onClose={onClose} className="confirm">
      {request && (
        <form method="dialog">
          <h2 id="confirm-title">{request.title}</h2>
          <p>{request.message}</p>
          <div className="actions">
            <button type="submit" value="cancel" autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                request.onConfirm();
                onClose();
              }}
            >
              {request.action}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
