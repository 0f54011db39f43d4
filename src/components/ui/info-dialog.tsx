// A modal dialog that explains something and closes with a button or Escape.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { keepTabInside } from './focus-trap';

/**
 * A modal that shows information (role="dialog", aria-modal) with one Close button. Focus
 * moves to Close on open, Tab stays inside, Escape closes, everything behind is inert, and
 * focus returns to whatever opened it.
 *
 * Common case: `{entry ? <InfoDialog title="Entry 3" onClose={() => setEntry(null)}>…</InfoDialog> : null}`
 */
export function InfoDialog(props: { title: string; children: ReactNode; onClose: () => void; wide?: boolean }) {
  const titleId = useId();
  const backdropRef = useRef<HTMLDivElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const behind = [...document.body.children].filter((el): el is HTMLElement => el instanceof HTMLElement && el !== backdropRef.current && !el.inert);
    for (const el of behind) el.inert = true;
    closeRef.current?.focus();
    return () => {
      for (const el of behind) el.inert = false;
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      props.onClose();
      return;
    }
    keepTabInside(e, dialogRef.current);
  }

  return createPortal(
    <div className="dialog-backdrop" ref={backdropRef}>
      <div ref={dialogRef} className={`dialog${props.wide ? ' dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} onKeyDown={onKeyDown}>
        <h2 id={titleId} className="dialog-title">
          {props.title}
        </h2>
        <div className="dialog-body">{props.children}</div>
        <div className="dialog-actions">
          <button type="button" ref={closeRef} className="button" onClick={props.onClose}>
            Close
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
