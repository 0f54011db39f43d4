/**
 * Keeps Tab and Shift+Tab inside a modal dialog (WAI-ARIA dialog pattern): from the last
 * focusable element Tab goes to the first, and back. Every Clavis dialog uses this one.
 */
import type { KeyboardEvent } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Call from the dialog's onKeyDown: wraps Tab focus inside `dialog`. */
export function keepTabInside(e: KeyboardEvent<HTMLElement>, dialog: HTMLElement | null): void {
  if (e.key !== 'Tab' || !dialog) return;
  const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
  if (items.length === 0) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}
