import type { ReactNode } from 'react';

/** An error in `{ code, message }` form, as slices keep it. */
export interface UiError {
  code: string;
  message: string;
}

/**
 * An error announced to assistive technology (role="alert"). Renders nothing without
 * an error. The message is the engine's, shown as text; the code is shown too, so the
 * error is not conveyed by color alone.
 */
export function ErrorAlert(props: { error: UiError | null | undefined; title?: string; id?: string }) {
  if (!props.error) return null;
  return (
    <div className="alert alert-error" role="alert" id={props.id}>
      <p className="alert-title">
        <span aria-hidden="true">⚠ </span>
        {props.title ?? 'Error'} <span className="code">({props.error.code})</span>
      </p>
      <p className="alert-message">{props.error.message}</p>
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
