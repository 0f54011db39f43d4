/**
 * One step of a walkthrough (#/walkthroughs/<id>/<stepIndex>, F2): the diagram, the
 * explanation and its standard, what changed, the real data the engine returned, Back
 * and Next, the step's own link, a rebuild and a reset. The runner does the work; this
 * page asks it for the step and shows its snapshot.
 *
 * Opening the URL directly (nothing has run in this tab) rebuilds the step from scratch
 * in a fresh namespace; Next runs only the next step.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { findWalkthrough } from './index';
import type { WalkthroughRunner } from './runner';
import { runnerFor } from './session';
import { StepDatumView } from './step-data-view';
import { StepDiagramView, type LifecycleDiagramRenderer } from './step-diagram';
import { href } from '../../routes/routes';
import './walkthroughs.css';

export interface WalkthroughStepPageProps {
  walkthroughId: string;
  /** 0-based step index from the URL. */
  step: number;
  navigate: (hash: string) => void;
  /** Draws the key state machine (the app passes the lifecycle feature's diagram). */
  lifecycleDiagram?: LifecycleDiagramRenderer;
  /** A runner to use instead of the tab's (tests). */
  runner?: WalkthroughRunner;
}

export function WalkthroughStepPage(props: WalkthroughStepPageProps) {
  const walkthrough = findWalkthrough(props.walkthroughId) ?? props.runner?.walkthrough;
  if (!walkthrough) {
    return (
      <>
        <PageTitle documentTitle="Walkthrough not found">Walkthrough not found</PageTitle>
        <p>
          There is no walkthrough called “{props.walkthroughId}”. See <a href={href({ name: 'walkthroughs' })}>all walkthroughs</a>.
        </p>
      </>
    );
  }
  const n = walkthrough.steps.length;
  if (!Number.isInteger(props.step) || props.step < 0 || props.step >= n) {
    return (
      <>
        <PageTitle documentTitle={`${walkthrough.title}: no such step`}>{walkthrough.title}</PageTitle>
        <p>
          This walkthrough has steps 1 to {n}. <a href={href({ name: 'walkthrough-step', id: walkthrough.id, step: 0 })}>Start at step 1</a>.
        </p>
      </>
    );
  }
  return <StepView {...props} runner={props.runner ?? runnerFor(walkthrough)} />;
}

function StepView(props: WalkthroughStepPageProps & { runner: WalkthroughRunner }) {
  const { runner, step: index, navigate } = props;
  const w = runner.walkthrough;
  const step = w.steps[index]!;
  const n = w.steps.length;
  const snap = useSyncExternalStore(runner.subscribe, runner.snapshot, runner.snapshot);
  const [note, setNote] = useState('');
  const result = snap.results[index];
  const busy = snap.running !== undefined;
  const failure = snap.failure && snap.failure.step <= index ? snap.failure : undefined;
  // Set when the user resets on this page: then the step waits for "Start again". A reset
  // made elsewhere ("Delete all walkthrough data") does not stop a step opened afterwards
  // from rebuilding itself.
  const [resetHere, setResetHere] = useState(false);
  const cleared = snap.cleared && resetHere;

  // Run what this step needs: nothing if it ran already; steps 0…index from a fresh
  // namespace if nothing has run in this tab (a deep link, or after every walkthrough's
  // data was deleted); otherwise the missing ones.
  useEffect(() => {
    const s = runner.snapshot();
    if ((s.cleared && resetHere) || s.failure || s.results.length > index) return;
    runner.ensure(index).catch(() => undefined); // the failure is in the snapshot
  }, [runner, index, cleared, resetHere]);

  const stepLink = href({ name: 'walkthrough-step', id: w.id, step: index });
  const go = (i: number) => {
    setNote('');
    navigate(href({ name: 'walkthrough-step', id: w.id, step: i }));
  };
  const rebuild = () => {
    setNote('');
    runner
      .rebuild(index)
      .then(() => setNote(`Step ${index + 1} was rebuilt from scratch: a new, empty walkthrough database, then steps 1 to ${index + 1} in order.`))
      .catch(() => undefined);
  };
  const reset = () => {
    setNote('');
    setResetHere(true);
    runner
      .reset()
      .then(() => setNote('This walkthrough’s data was deleted. Your own keys, CAs and KDC were not touched.'))
      .catch((e: unknown) => setNote(`Could not delete the walkthrough data: ${e instanceof Error ? e.message : String(e)}`));
  };
  const start = () => {
    setNote('');
    setResetHere(false);
    runner.ensure(0).catch(() => undefined);
    if (index !== 0) go(0);
  };

  const runningText = busy ? `Running step ${(snap.running ?? 0) + 1} of ${n} on the walkthrough’s engine…` : '';

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'walkthroughs' })}>Walkthroughs</a>
      </p>
      <PageTitle documentTitle={`${step.title} · ${w.title}`}>{w.title}</PageTitle>
      <nav aria-label="Steps of this walkthrough" className="wt-step-nav">
        <ol className="wt-steps">
          {w.steps.map((s, i) => (
            <li key={s.id} className={i === index ? 'wt-step-on' : i < snap.results.length ? 'wt-step-done' : undefined}>
              <a href={href({ name: 'walkthrough-step', id: w.id, step: i })} aria-current={i === index ? 'step' : undefined}>
                <span className="wt-step-num">{i + 1}</span> <span className="wt-step-title">{s.title}</span>
              </a>
            </li>
          ))}
        </ol>
      </nav>

      <section aria-labelledby="wt-step-heading" className="wt-step">
        <h2 id="wt-step-heading">
          Step {index + 1} of {n}: {step.title}
        </h2>
        <StatusMessage>{runningText || note}</StatusMessage>
        {failure ? (
          <div>
            <ErrorAlert error={failure} title={`Step ${failure.step + 1} failed`} />
            <button type="button" className="button" onClick={rebuild} disabled={busy}>
              Rebuild from scratch
            </button>
          </div>
        ) : null}
        {cleared && !busy ? (
          <p className="actions">
            <span>Nothing has run since the reset, so this step has nothing to show and Next waits until the steps run again.</span>{' '}
            <button type="button" className="button button-primary" onClick={start}>
              Start again from step 1
            </button>
          </p>
        ) : null}

        <div className="wt-layout">
          <div className="wt-figure" aria-live="off">
            {result ? <StepDiagramView key={`${snap.generation}-${index}`} diagram={result.diagram} lifecycle={props.lifecycleDiagram} /> : busy ? <p className="hint">Running…</p> : null}
          </div>
          <div className="wt-explain">
            <p>{step.explain}</p>
            <p className="wt-standard">
              <strong>Standard:</strong> {step.standard}
            </p>
            {result ? (
              <>
                <h3>What changed</h3>
                <ul className="wt-changes">
                  {result.changes.map((c, i) => (
                    <li key={`${i}-${c}`}>{c}</li>
                  ))}
                </ul>
                {result.objects?.length ? (
                  <>
                    <h3>Open on its own page</h3>
                    <ul className="wt-objects">
                      {result.objects.map((o) => (
                        <li key={`${o.kind}-${o.id}`}>
                          <a href={href({ name: 'walkthrough-object', id: w.id, step: index, kind: o.kind, objectId: o.id })}>{o.label}</a>
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </>
            ) : null}
          </div>
        </div>

        <div className="wt-pager">
          <button type="button" className="button" onClick={() => go(index - 1)} disabled={index === 0 || busy}>
            <span aria-hidden="true">← </span>Back
          </button>
          {index < n - 1 ? (
            <button type="button" className="button button-primary" onClick={() => go(index + 1)} disabled={busy || !result}>
              Next<span aria-hidden="true"> →</span>
            </button>
          ) : (
            <a className="button button-primary" href={href({ name: 'walkthroughs' })}>
              All walkthroughs
            </a>
          )}
        </div>

        {result ? (
          <section aria-labelledby="wt-data-heading" className="wt-data">
            <h3 id="wt-data-heading">What the engine returned</h3>
            {result.data.map((d, i) => (
              <StepDatumView key={`${snap.generation}-${index}-${i}`} datum={d} />
            ))}
          </section>
        ) : null}

        <section aria-labelledby="wt-tools-heading" className="wt-tools">
          <h3 id="wt-tools-heading">This step</h3>
          <p>
            Link to this step: <a href={stepLink}>{`${location.origin}${location.pathname}${stepLink}`}</a>. Opened directly, it rebuilds
            the step from scratch.
          </p>
          <p className="actions">
            <button type="button" className="button" onClick={rebuild} disabled={busy}>
              Rebuild this step from scratch
            </button>
            <button type="button" className="button" onClick={reset} disabled={busy}>
              Reset this walkthrough
            </button>
          </p>
          <p className="hint">Reset deletes only this walkthrough’s own database; your keys, CAs and KDC are never touched.</p>
        </section>
      </section>
    </>
  );
}
