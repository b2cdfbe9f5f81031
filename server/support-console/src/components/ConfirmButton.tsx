import { useRef, type ReactNode } from 'react';

/** A button that asks first, in a modal dialog (focus moves into it; Escape cancels). */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  danger,
  children,
}: {
  label: string;
  question: string;
  onConfirm: () => void;
  danger?: boolean;
  children?: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button type="button" className={danger ? 'danger' : undefined} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={`Confirm: ${label}`}>
        <form
          method="dialog"
          onSubmit={(e) => {
            if ((e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') === 'yes') onConfirm();
          }}
        >
          <p>{question}</p>
          {children}
          <div className="actions">
            <button value="no" autoFocus>
              Cancel
            </button>
            <button value="yes" className={danger ? 'danger' : undefined}>
              {label}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
