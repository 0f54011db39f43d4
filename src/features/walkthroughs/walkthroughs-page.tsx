/**
 * The walkthrough index (#/walkthroughs): every walkthrough with what it covers and its
 * steps, and a reset that deletes only the walkthroughs' own databases.
 */
import { useState } from 'react';
import { ErrorAlert, StatusMessage, type UiError } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { WALKTHROUGHS } from './index';
import { resetAllWalkthroughs } from './session';
import { href } from '../../routes/routes';
import './walkthroughs.css';

export function WalkthroughsPage(props: { resetAll?: () => Promise<void> }) {
  const [status, setStatus] = useState('');
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function reset() {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await (props.resetAll ?? resetAllWalkthroughs)();
      setStatus('Every walkthrough’s data was deleted. Your own keys, CAs and KDC were not touched.');
    } catch (e) {
      setError({ code: (e as { code?: string }).code ?? 'STORAGE', message: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageTitle documentTitle="Walkthroughs">Walkthroughs</PageTitle>
      <p className="lead">
        Guided scenarios that run the real engine one step at a time and show what each step did: the parties and messages, the
        real bytes, what changed and why. Each walkthrough works in its own database, separate from your vault, so nothing here
        touches your keys.
      </p>
      <ol className="wt-index">
        {WALKTHROUGHS.map((w, i) => (
          <li key={w.id} className="panel wt-card">
            <h2 id={`wt-${w.id}`}>
              <a href={href({ name: 'walkthrough-step', id: w.id, step: 0 })}>
                {i + 1}. {w.title}
              </a>
            </h2>
            <p>{w.summary}</p>
            <p className="hint">Covers: {w.covers}</p>
            <details>
              <summary>
                The {w.steps.length} steps<span className="visually-hidden"> of {w.title}</span>
              </summary>
              <ol>
                {w.steps.map((s, k) => (
                  <li key={s.id}>
                    <a href={href({ name: 'walkthrough-step', id: w.id, step: k })}>{s.title}</a>
                  </li>
                ))}
              </ol>
            </details>
          </li>
        ))}
      </ol>
      <section aria-labelledby="wt-reset-all" className="panel">
        <h2 id="wt-reset-all">Start over</h2>
        <p>Deletes what the walkthroughs made (their own databases). Your vault, CAs and KDC stay exactly as they are.</p>
        <button type="button" className="button" onClick={() => void reset()} disabled={busy}>
          {busy ? 'Deleting…' : 'Delete all walkthrough data'}
        </button>
        <StatusMessage>{status}</StatusMessage>
        <ErrorAlert error={error} title="Could not delete the walkthrough data" />
      </section>
    </>
  );
}
