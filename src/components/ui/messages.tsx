// Error alerts, status messages and badges shared by every screen.
import type { ReactNode } from 'react';
import { errorHeading, readableMessage } from './readable';

/** An error in `{ code, message }` form, as slices keep it. */
export interface UiError {
  code: string;
  message: string;
}

/**
 * An error announced to assistive technology (role="alert"). Renders nothing without an
 * error. People read a heading (the page's title, or the kind of error the code names),
 * then the engine's message as a sentence (no module prefix, local times, revocation
 * reasons in words), then a details line with the code, so the error is not conveyed by
 * color alone and can still be quoted exactly.
 */
export function ErrorAlert(props: { error: UiError | null | undefined; title?: string; id?: string }) {
  if (!props.error) return null;
  const heading = errorHeading(props.error.code);
  return (
    <div className="alert alert-error" role="alert" id={props.id}>
      <p className="alert-title">
        <span aria-hidden="true">⚠ </span>
        {props.title ?? heading}
      </p>
      <p className="alert-message">{readableMessage(props.error.message)}</p>
      <p className="alert-details">
        {props.title ? `${heading} · error code: ` : 'Error code: '}
        <span className="code">{props.error.code}</span>
      </p>
    </div>
  );
}

/**
 * A polite live region (role="status"). It stays in the DOM so screen readers notice
 * when its text changes; give it no children to keep it quiet.
 */
export function StatusMessage(props: { children?: ReactNode; className?: string; id?: string }) {
  return (
    <div role="status" className={`status ${props.className ?? ''}`} id={props.id}>
      {props.children}
    </div>
  );
}

/** A small label. The text carries the meaning; the tone only decorates. */
export function Badge(props: { tone: 'safe' | 'warn' | 'info' | 'neutral'; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${props.tone}`} title={props.title}>
      {props.children}
    </span>
  );
}
