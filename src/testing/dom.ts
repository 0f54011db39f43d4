/**
 * Assertions on rendered elements for view tests: what a Testing Library query found is
 * really on the page for the user, not merely somewhere in the DOM tree.
 */
import { expect } from 'vitest';

/** Why `el` is not shown (an ancestor or itself hidden, aria-hidden or display:none), or null. */
export function hiddenBy(el: Element): string | null {
  for (let at: Element | null = el; at; at = at.parentElement) {
    const tag = at.tagName.toLowerCase();
    if (at.hasAttribute('hidden')) return `<${tag}> has the hidden attribute`;
    if (at.getAttribute('aria-hidden') === 'true') return `<${tag}> is aria-hidden`;
    if ((at instanceof HTMLElement || at instanceof SVGElement) && at.style.display === 'none') return `<${tag}> has display: none`;
  }
  return null;
}

/**
 * Asserts that `el` is an element in the document that the user is shown: attached, and
 * neither it nor an ancestor hidden. Use it on what `getBy…`/`findBy…` return, where
 * `toBeTruthy()` would only repeat that the query found something.
 */
export function expectShown(el: Element): void {
  // HTML or SVG: a role="img" diagram is an <svg>.
  expect(el instanceof HTMLElement || el instanceof SVGElement, `an HTML or SVG element: ${String(el)}`).toBe(true);
  expect(el.isConnected, 'the element is in the document').toBe(true);
  expect(hiddenBy(el), `shown: ${el.textContent?.slice(0, 80) ?? ''}`).toBeNull();
}
