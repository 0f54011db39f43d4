/**
 * An object a walkthrough made (a key, a certificate, a CA's CRL), shown on its own page
 * inside the walkthrough's namespace: the app's usual page, given the namespace's engine
 * and a store of its own, so it reads the walkthrough's database and never the user's.
 * The pages themselves come from the app (features do not import each other).
 */
import { useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { PageTitle } from '../../components/ui/page-title';
import type { Engine } from '../../engine';
import { EngineProvider } from '../../state/engine-provider';
import { createAppStore } from '../../state/store';
import { findWalkthrough } from './index';
import type { WalkthroughRunner } from './runner';
import { runnerFor } from './session';
import type { ObjectLink } from './types';
import { href } from '../../routes/routes';
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
  if (!walkthrough || !Number.isInteger(props.step) || props.step < 0 || props.step >= walkthrough.steps.length) {
    return (
      <>
        <PageTitle documentTitle="Walkthrough object not found">Walkthrough object not found</PageTitle>
        <p>
          There is no such walkthrough step. <a href={href({ name: 'walkthroughs' })}>See all walkthroughs</a>.
        </p>
      </>
    );
  }
  return <Rebuilt {...props} runner={props.runner ?? runnerFor(walkthrough)} />;
}

/**
 * Opened fresh (nothing has run in this tab, or the walkthrough data was deleted), the
 * page rebuilds the step that made the object, then shows it. A rebuilt step makes new
 * objects with new ids: the object is then found again when it is the only one of its kind in the step, or
 * the page lists the step's objects.
 */
function Rebuilt(props: WalkthroughObjectPageProps & { runner: WalkthroughRunner }) {
  const { runner, step } = props;
  const snap = useSyncExternalStore(runner.subscribe, runner.snapshot, runner.snapshot);
  useEffect(() => {
    const s = runner.snapshot();
    if (s.failure || s.results.length > step) return;
    runner.ensure(step).catch(() => undefined); // the failure is in the snapshot
  }, [runner, step]);

  const result = snap.results[step];
  const engine = runner.engine();
  const ofKind = (result?.objects ?? []).filter((o) => o.kind === props.kind);
  const known = (snap.results.slice(0, step + 1).flatMap((r) => r.objects ?? [])).some((o) => o.kind === props.kind && o.id === props.objectId);
  const back = href({ name: 'walkthrough-step', id: props.walkthroughId, step });

  if (snap.failure && snap.failure.step <= step) {
    return (
      <>
        <PageTitle documentTitle="Walkthrough object not available">Walkthrough object not available</PageTitle>
        <p>
          Step {snap.failure.step + 1} failed while rebuilding this {KIND_LABEL[props.kind] ?? 'object'}: {snap.failure.message}{' '}
          <a href={back}>Open the step to rebuild it</a>.
        </p>
      </>
    );
  }
  if (!result || !engine) {
    return (
      <>
        <PageTitle documentTitle="Rebuilding the walkthrough step">Rebuilding the walkthrough step</PageTitle>
        <p role="status">
          This {KIND_LABEL[props.kind] ?? 'object'} belongs to step {step + 1} of “{runner.walkthrough.title}”, which has not run in this tab yet: running steps 1 to {step + 1} in the
          walkthrough’s own database…
        </p>
      </>
    );
  }
  // The id from the URL, else the only object of its kind in the rebuilt step.
  const id = known ? props.objectId : ofKind.length === 1 ? ofKind[0]!.id : undefined;
  if (!id) {
    return (
      <>
        <PageTitle documentTitle="Walkthrough object rebuilt">Walkthrough object rebuilt</PageTitle>
        <p>
          Step {step + 1} was rebuilt from scratch, so its objects have new ids. Open one of them:
        </p>
        <ul>
          {(result.objects ?? []).map((o) => (
            <li key={`${o.kind}-${o.id}`}>
              <a href={href({ name: 'walkthrough-object', id: props.walkthroughId, step: step, kind: o.kind, objectId: o.id })}>{o.label}</a>
            </li>
          ))}
        </ul>
        <p>
          <a href={back}>Back to step {step + 1}</a>
        </p>
      </>
    );
  }
  return <InNamespace key={`${snap.generation}-${id}`} engine={engine} {...props} objectId={id} title={runner.walkthrough.title} rebuilt={!known} />;
}

function InNamespace(props: WalkthroughObjectPageProps & { engine: Engine; title: string; rebuilt: boolean }) {
  const store = useMemo(() => createAppStore(props.engine), [props.engine]);
  const back = href({ name: 'walkthrough-step', id: props.walkthroughId, step: props.step });
  return (
    <>
      <aside className="wt-namespace-note" aria-label="Walkthrough data">
        <p>
          You are looking at a {KIND_LABEL[props.kind]} of the walkthrough “{props.title}”, kept in its own database, not among your keys and certificates.{' '}
          {props.rebuilt ? `Step ${props.step + 1} was rebuilt from scratch for this page, so the ${KIND_LABEL[props.kind]} is a new one with a new id. ` : ''}
          <a href={back}>Back to step {props.step + 1}</a>
        </p>
      </aside>
      <EngineProvider engine={props.engine} store={store}>
        {props.render(props.kind, props.objectId, back)}
      </EngineProvider>
    </>
  );
}
