/**
 * An object a walkthrough made (a key, a certificate, a CA's CRL), shown on its own page
 * inside the walkthrough's namespace: the app's usual page, given the namespace's engine
 * and a store of its own, so it reads the walkthrough's database and never the user's.
 * The pages themselves come from the app (features do not import each other).
 */
import { useMemo, type ReactNode } from 'react';
import { PageTitle } from '../../components/ui/page-title';
import type { Engine } from '../../engine';
import { EngineProvider } from '../../state/engine-provider';
import { createAppStore } from '../../state/store';
import { findWalkthrough, stepHref } from './index';
import type { WalkthroughRunner } from './runner';
import { runnerFor } from './session';
import type { ObjectLink } from './types';
import './walkthroughs.css';

export interface WalkthroughObjectPageProps {
  walkthroughId: string;
  /** The step the link came from (0-based), for the way back. */
  step: number;
  kind: ObjectLink['kind'];
  objectId: string;
  /** Renders the app's page for the object inside the namespace's provider; `back` is the step's link. */
  render: (kind: ObjectLink['kind'], id: string, back: string) => ReactNode;
  /** A runner to use instead of the tab's (tests). */
  runner?: WalkthroughRunner;
}

const KIND_LABEL: Record<ObjectLink['kind'], string> = { key: 'key', cert: 'certificate', crl: 'CRL' };

export function WalkthroughObjectPage(props: WalkthroughObjectPageProps) {
  const walkthrough = findWalkthrough(props.walkthroughId) ?? props.runner?.walkthrough;
  const runner = walkthrough ? (props.runner ?? runnerFor(walkthrough)) : undefined;
  const engine = runner?.engine();
  if (!walkthrough || !engine) {
    return (
      <>
        <PageTitle documentTitle="Walkthrough object not available">Walkthrough object not available</PageTitle>
        <p>
          This {KIND_LABEL[props.kind] ?? 'object'} belongs to a walkthrough that has not run in this tab (each page load starts walkthroughs afresh).{' '}
          {walkthrough ? <a href={stepHref(walkthrough.id, props.step)}>Rebuild the step that made it</a> : <a href="#/walkthroughs">See all walkthroughs</a>}.
        </p>
      </>
    );
  }
  return <InNamespace engine={engine} {...props} title={walkthrough.title} />;
}

function InNamespace(props: WalkthroughObjectPageProps & { engine: Engine; title: string }) {
  const store = useMemo(() => createAppStore(props.engine), [props.engine]);
  const back = stepHref(props.walkthroughId, props.step);
  return (
    <>
      <aside className="wt-namespace-note" aria-label="Walkthrough data">
        <p>
          You are looking at a {KIND_LABEL[props.kind]} of the walkthrough “{props.title}”, kept in its own database, not among your keys and certificates.{' '}
          <a href={back}>Back to step {props.step + 1}</a>
        </p>
      </aside>
      <EngineProvider engine={props.engine} store={store}>
        {props.render(props.kind, props.objectId, back)}
      </EngineProvider>
    </>
  );
}
