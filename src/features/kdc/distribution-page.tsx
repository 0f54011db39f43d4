// C2 and C6: the KDC's protocol run, one message at a time, then chat under the session key.
import { useState, type FormEvent } from 'react';
import type { KdcProtocolRun, WireMessage } from '../../engine';
import { KDC_CHECK_LABELS } from '../../copy/kdc';
import { Field } from '../../components/ui/field';
import { Badge, ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { kdcOpNames } from '../../state/slices/kdc-slice';
import type { ErrorInfo } from '../../state/types';
import { nextStepText } from './copy';
import { KdcNav, NO_PARTIES, useKdcData, usePartyChoice } from './kdc-nav';
import { PartyPair } from './party-pair';
import { hexLines, MessageView } from './message-view';
import { href } from '../../routes/routes';

/** Which lane (A, KDC, B) a party is in. */
function lane(run: KdcProtocolRun, who: string): 0 | 1 | 2 {
  return who === run.client ? 0 : who === run.service ? 2 : 1;
}

function Arrow(props: { run: KdcProtocolRun; m: WireMessage }) {
  const from = lane(props.run, props.m.from);
  const to = lane(props.run, props.m.to);
  const left = Math.min(from, to);
  const right = Math.max(from, to);
  return (
    <div className="kdc-arrow" aria-hidden="true">
      <div className="kdc-arrow-line" style={{ gridColumn: `${left + 1} / ${right + 2}` }} data-dir={from < to ? 'right' : 'left'}>
        <span>
          {props.m.step}. {props.m.type}
        </span>
      </div>
    </div>
  );
}

interface ChatLine {
  from: string;
  to: string;
  text: string;
  hex: string;
}

/** C2 and C6: run the protocol one message at a time, then chat under the session key. */
export function KdcDistributionPage() {
  useKdcData();
  const principals = useAppStore((s) => s.kdc.principals);
  const run = useAppStore((s) => s.kdc.run);
  const startRun = useAppStore((s) => s.kdc.startRun);
  const nextStep = useAppStore((s) => s.kdc.nextStep);
  const clearRun = useAppStore((s) => s.kdc.clearRun);
  const send = useAppStore((s) => s.kdc.sendMessage);
  const receive = useAppStore((s) => s.kdc.receiveMessage);
  const stepOp = useAppStore((s) => s.kdc.ops[kdcOpNames.step]);
  const { client, service, setClient, setService } = usePartyChoice(principals);
  // A revoked principal can never take part again; suspended ones stay offered so the refusal can be seen.
  const offered = principals.filter((p) => p.status !== 'revoked');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [chat, setChat] = useState<ChatLine[]>([]);
  const [text, setText] = useState('');
  const [sender, setSender] = useState<'client' | 'service'>('client');

  async function start(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setChat([]);
    if (!client || !service) return setError(NO_PARTIES);
    const r = await startRun(client, service);
    if (!r.ok) setError(r.error);
  }

  async function step() {
    setError(null);
    const r = await nextStep();
    if (!r.ok) setError(r.error);
  }

  async function sendChat(e: FormEvent) {
    e.preventDefault();
    if (!run?.keyId || !text) return;
    setError(null);
    const from = sender === 'client' ? run.client : run.service;
    const sent = await send(run.keyId, from, text);
    if (!sent.ok) return setError(sent.error);
    const got = await receive(run.keyId, sent.value.to, sent.value.hex);
    if (!got.ok) return setError(got.error);
    setChat((c) => [...c, { from, to: sent.value.to, text: got.value, hex: sent.value.hex }]);
    setText('');
  }

  return (
    <>
      <KdcNav current={href({ name: 'kdc' })} />
      <PageTitle documentTitle="Key distribution">Key distribution</PageTitle>
      <p>
        Needham–Schroeder with the Kerberos fixes: A asks the KDC for a key to talk to B with a fresh nonce, presents the ticket to B with a timestamped
        authenticator, and both confirm the key with an HMAC over the transcript. Every message is AES-GCM with its header (type and protocol version) as
        additional data.
      </p>
      {principals.length < 2 ? (
        <p className="warning">
          Register at least two principals first, on the <a href={href({ name: 'kdc-principals' })}>Principals</a> screen.
        </p>
      ) : null}
      <form className="form panel" onSubmit={(e) => void start(e)} aria-labelledby="kdc-run-title">
        <h2 id="kdc-run-title">Choose the parties</h2>
        <PartyPair ids={{ a: 'kdc-a', b: 'kdc-b' }} parties={offered} client={client ?? ''} service={service ?? ''} onClient={setClient} onService={setService} option={(p) => `${p.name} (${p.kind}, ${p.status})`} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={principals.length < 2}>
            Start distribution
          </button>
          {run ? (
            <button type="button" className="button" onClick={() => clearRun()}>
              Clear
            </button>
          ) : null}
        </div>
      </form>
      <ErrorAlert error={error} />
      {run ? (
        <section aria-labelledby="kdc-seq-title" className="kdc-run">
          <h2 id="kdc-seq-title">
            {run.client} ↔ {run.service}
          </h2>
          <div className="kdc-lanes" aria-hidden="true">
            <span>A: {run.client}</span>
            <span>KDC</span>
            <span>B: {run.service}</span>
          </div>
          <ol className="kdc-sequence" aria-label="Protocol messages">
            {run.messages.map((m) => (
              <li key={m.step}>
                <Arrow run={run} m={m} />
                <MessageView message={m} />
              </li>
            ))}
          </ol>
          <StatusMessage>
            {run.refusal
              ? `Refused: ${KDC_CHECK_LABELS[run.refusal.check]}`
              : run.confirmed
                ? `Key confirmed on both sides. Session key ${run.keyId}, ticket expires ${run.expiresAt}.`
                : `${run.messages.length} of 5 messages sent.`}
          </StatusMessage>
          {run.refusal ? <ErrorAlert error={run.refusal} title={`Refused by the check “${KDC_CHECK_LABELS[run.refusal.check]}”`} /> : null}
          {!run.done ? (
            <div className="actions">
              <button type="button" className="button button-primary" onClick={() => void step()} disabled={stepOp?.status === 'busy'}>
                Next step
              </button>
              <span className="hint">{nextStepText(run)}</span>
            </div>
          ) : null}
          {run.confirmed && run.keyId ? (
            <section aria-labelledby="kdc-chat-title" className="panel">
              <h2 id="kdc-chat-title">
                Messages under the session key <Badge tone="safe">confirmed</Badge>
              </h2>
              <ol className="kdc-chat" aria-label="Chat">
                {chat.map((c, i) => (
                  <li key={i} className={c.from === run.client ? 'kdc-chat-a' : 'kdc-chat-b'}>
                    <p>
                      <strong>{c.from}</strong> → {c.to}: {c.text}
                    </p>
                    <details>
                      <summary>Sealed bytes ({c.hex.length / 2})</summary>
                      <pre className="mono">{hexLines(c.hex)}</pre>
                    </details>
                  </li>
                ))}
              </ol>
              <form className="form" onSubmit={(e) => void sendChat(e)}>
                <Field id="kdc-sender" label="Sender">
                  {(control) => (
                    <select {...control} value={sender} onChange={(e) => setSender(e.target.value as 'client' | 'service')}>
                      <option value="client">{run.client}</option>
                      <option value="service">{run.service}</option>
                    </select>
                  )}
                </Field>
                <Field id="kdc-text" label="Message">
                  {(control) => <input {...control} value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />}
                </Field>
                <div className="actions">
                  <button type="submit" className="button button-primary" disabled={!text}>
                    Send
                  </button>
                </div>
              </form>
            </section>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
