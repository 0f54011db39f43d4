// A modal dialog that asks the user to confirm or cancel an action.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { keepTabInside } from './focus-trap';

/**
 * A modal confirmation (role="dialog", aria-modal). Focus moves to Cancel on open (the
 * safe choice), Tab stays inside, Escape cancels, and focus returns to whatever opened
 * it on close.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  busyLabel?: string;
}) {
  const titleId = useId();
  const bodyId = useId();
  const backdropRef = useRef<HTMLDivElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const { open } = props;

  useEffect(() => {
    if (!open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // Everything behind the dialog becomes inert (no focus, no clicks, hidden from
    // assistive technology), which aria-modal alone does not guarantee.
    const behind = [...document.body.children].filter(
      (el): el is HTMLElement => el instanceof HTMLElement && el !== backdropRef.current && !el.inert,
    );
    for (const el of behind) el.inert = true;
    cancelRef.current?.focus();
    return () => {
      for (const el of behind) el.inert = false;
      if (opener?.isConnected) opener.focus();
    };
  }, [open]);

  if (!open) return null;

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      if (!props.busy) props.onCancel();
      return;
    }
    keepTabInside(e, dialogRef.current);
  }

  return createPortal(
    <div className="dialog-backdrop" ref={backdropRef}>
      <div
        ref={dialogRef}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        aria-busy={props.busy || undefined}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="dialog-title">
          {props.title}
        </h2>
        <div id={bodyId} className="dialog-body">
          {props.children}
        </div>
        <div className="dialog-actions">
          <button type="button" ref={cancelRef} className="button" onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </button>
          <button type="button" className="button button-danger" onClick={props.onConfirm} disabled={props.busy}>
            {props.busy ? (props.busyLabel ?? 'Working…') : props.confirmLabel}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
