/** D4: the forward-secrecy demonstration: two recordings, then every long-term key stolen. */
import { useId, useState, type FormEvent } from 'react';
import type { ForwardSecrecyCurve, ForwardSecrecyRun } from '../../engine';
import { Field } from '../../components/ui/field';
import { ErrorAlert } from '../../components/ui/messages';
import { useAppStore, useAppStoreApi } from '../../state/engine-provider';
import { exchangeOpNames } from '../../state/slices/exchange-slice';
import { FORWARD_SECRECY_VALUE_LABELS, theftAttemptCopy } from '../../copy/exchange';
import { FORWARD_SECRECY_TITLES } from './copy';
import { shortHex } from './short-hex';

function Run(props: { run: ForwardSecrecyRun }) {
  const r = props.run;
  return (
    <section className="panel exchange-fs-run" aria-label={FORWARD_SECRECY_TITLES[r.kind]}>
      <h3>{FORWARD_SECRECY_TITLES[r.kind]}</h3>
      <h4>Recorded by the eavesdropper</h4>
      <dl className="exchange-fields">
        {r.recorded.map((v) => (
          <div className="exchange-value" key={v.id}>
            <dt>{FORWARD_SECRECY_VALUE_LABELS[v.id]}</dt>
            <dd>
              <code className="mono" title={v.value}>
                {shortHex(v.value)}
              </code>
            </dd>
          </div>
        ))}
      </dl>
      {r.kind === 'ephemeral' ? <p>Ephemeral private keys: {r.ephemeralKeysDestroyed ? 'destroyed after one use' : 'still held'}.</p> : null}
      <h4>Later stolen</h4>
      <ul>
        {r.stolen.map((s) => (
          <li key={s.id}>
            {FORWARD_SECRECY_VALUE_LABELS[s.id]}: <code className="mono">{shortHex(s.value, 8)}</code>
          </li>
        ))}
      </ul>
      <h4>What the thief tries</h4>
      <ul className="exchange-checks">
        {r.attempts.map((a) => {
          const { what, detail } = theftAttemptCopy(a);
          return (
            <li key={what} className={a.succeeded ? 'check-fail' : 'check-ok'}>
              {what}: <strong>{a.succeeded ? 'succeeds' : 'fails'}</strong> — {detail}
            </li>
          );
        })}
      </ul>
      <p className="exchange-fs-outcome">
        <strong>Recorded message recovered:</strong> {r.recovered === null ? 'no — it stays sealed' : `yes — “${r.recovered}”`}
      </p>
    </section>
  );
}

export function ForwardSecrecySection() {
  const store = useAppStoreApi();
  const report = useAppStore((s) => s.exchange.forwardSecrecy);
  const op = useAppStore((s) => s.exchange.ops[exchangeOpNames.forwardSecrecy]);
  const [message, setMessage] = useState('The launch code is 0000');
  const [curve, setCurve] = useState<ForwardSecrecyCurve>('P-256');
  const ids = useId();
  async function onRun(e: FormEvent) {
    e.preventDefault();
    await store.getState().exchange.runForwardSecrecy({ curve, message });
  }
  return (
    <section aria-labelledby={`${ids}-h`} className="exchange-section">
      <h2 id={`${ids}-h`}>Forward secrecy</h2>
      <p>
        An eavesdropper records two conversations. Later every long-term private key of both parties is stolen. With ephemeral keys the past stays
        sealed; with static keys it opens. (The demo’s long-term keys live only in memory and are exportable so their theft can be simulated; vault
        keys are never exported.)
      </p>
      <form className="form" onSubmit={onRun}>
        <div className="field">
          <label htmlFor={`${ids}-msg`}>Recorded message</label>
          <input id={`${ids}-msg`} value={message} onChange={(e) => setMessage(e.target.value)} required />
        </div>
        <Field label="Curve for the demonstration">
          {(control) => (
            <select {...control} value={curve} onChange={(e) => setCurve(e.target.value as ForwardSecrecyCurve)}>
              <option value="P-256">P-256</option>
              <option value="P-384">P-384</option>
            </select>
          )}
        </Field>
        <button className="button button-primary" type="submit" disabled={op?.status === 'busy'}>
          Record, then steal the long-term keys
        </button>
      </form>
      <ErrorAlert error={op?.status === 'error' ? op.error : undefined} title="The demonstration failed" />
      {report ? (
        <div className="exchange-fs">
          <Run run={report.ephemeral} />
          <Run run={report.static} />
        </div>
      ) : null}
    </section>
  );
}
