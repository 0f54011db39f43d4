/**
 * The Exchange page (D1–D5): choose the parties, the curve, authentication and an
 * attacker; run the exchange one step at a time as a diagram of messages between the
 * initiator, the responder and the attacker with every value shown; compare the two
 * sides' fingerprints; send messages both ways under the derived key and see what the
 * attacker reads. Below: the forward-secrecy demonstration and classic Diffie–Hellman
 * with small numbers.
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { Engine, AttackerMode, AttackerStrategy, ExchangeCurve, ExchangeMode, ExchangeStepView, ExchangeView, PartyView, StartExchangeParams } from '../../engine';
import { DataTable } from '../../components/ui/data-table';
import { Field } from '../../components/ui/field';
import { asCertId } from '../../engine';
import { Badge, ErrorAlert, StatusMessage, type UiError } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { EngineProvider, useAppStore, useAppStoreApi } from '../../state/engine-provider';
import { createAppStore } from '../../state/store';
import { exchangeOpNames } from '../../state/slices/exchange-slice';
import { ClassicDhSection } from './classic-dh-section';
import { ForwardSecrecySection } from './forward-secrecy-section';
import { EXCHANGE_CURVE_LABELS, MESSAGE_FIELD_NAMES, checkDetail, deliveryRefusal, messageFieldValue, messageLabel, stepCopy } from '../../copy/exchange';
import { failureMessage, nextStepLabel, valueLabel } from './copy';
import { exchangeDemoEngine } from './namespace';
import { shortHex } from './short-hex';
import './exchange.css';

const ACTOR_CLASS = { initiator: 'lane-initiator', responder: 'lane-responder', attacker: 'lane-attacker' } as const;

function Value(props: { label: string; value: string }) {
  return (
    <div className="exchange-value">
      <dt>{props.label}</dt>
      <dd>
        <code className="mono" title={props.value}>
          {shortHex(props.value)}
        </code>
      </dd>
    </div>
  );
}

function Step(props: { step: ExchangeStepView; view: ExchangeView }) {
  const s = props.step;
  const name = (r: string) => (r === 'initiator' ? props.view.initiator.name : r === 'responder' ? props.view.responder.name : (props.view.attacker?.name ?? 'attacker'));
  const copy = stepCopy(s, props.view);
  return (
    <li className={`exchange-step ${ACTOR_CLASS[s.actor]}`}>
      <h3 className="exchange-step-title">
        <span className="exchange-step-number">{s.index}.</span> {copy.title}
      </h3>
      <p className="hint">{copy.explanation}</p>
      {s.message ? (
        <div className="exchange-message">
          <p className="exchange-arrow">
            <strong>{name(s.message.from)}</strong> <span aria-hidden="true">→</span>
            <span className="visually-hidden">sends to</span> <strong>{name(s.message.to)}</strong>: {messageLabel(s.message)}
          </p>
          <dl className="exchange-fields">
            {s.message.fields.map((f) => (
              <div key={f.id} className={f.changed ? 'exchange-value changed' : 'exchange-value'}>
                <dt>
                  {MESSAGE_FIELD_NAMES[f.id]}
                  {f.changed ? <Badge tone="warn">replaced</Badge> : null}
                </dt>
                <dd>
                  <code className="mono" title={messageFieldValue(f)}>
                    {shortHex(messageFieldValue(f))}
                  </code>
                </dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}
      {s.values.length > 0 ? (
        <dl className="exchange-fields">
          {s.values.map((v) => (
            <Value key={v.id} label={valueLabel(v, s, props.view)} value={v.value} />
          ))}
        </dl>
      ) : null}
      {s.checks && s.checks.length > 0 ? <Checks checks={s.checks} label={`Checks by ${name(s.actor)}`} /> : null}
    </li>
  );
}

function Checks(props: { checks: PartyView['checks']; label: string }) {
  return (
    <ul className="exchange-checks" aria-label={props.label}>
      {props.checks.map((c) => (
        <li key={c.name} className={c.ok ? 'check-ok' : 'check-fail'}>
          <span aria-hidden="true">{c.ok ? '✓ ' : '✗ '}</span>
          <strong>
            {c.name}: {c.ok ? 'passed' : 'FAILED'}
          </strong>{' '}
          — {checkDetail(c.detail)}
        </li>
      ))}
    </ul>
  );
}

function PartyCard(props: { party: PartyView }) {
  const p = props.party;
  return (
    <section className="exchange-party panel" aria-label={`${p.name}'s view`}>
      <h3>{p.name}&apos;s view</h3>
      <p>
        Believes it talks to <strong>{p.peerName}</strong>.{' '}
        <Badge tone={p.outcome === 'established' ? 'safe' : p.outcome === 'refused' ? 'warn' : 'neutral'}>{p.outcome}</Badge>
      </p>
      <dl className="exchange-fields">
        {p.ownPublicHex ? <Value label="own ephemeral public key" value={p.ownPublicHex} /> : null}
        {p.peerPublicHex ? <Value label="peer public key received" value={p.peerPublicHex} /> : null}
        {p.transcriptHashHex ? <Value label="transcript hash" value={p.transcriptHashHex} /> : null}
        {p.keysFingerprint ? <Value label="fingerprint of both public keys" value={p.keysFingerprint} /> : null}
        {p.sas ? <Value label="short authentication string" value={p.sas} /> : null}
        {p.sessionKeyKcv ? <Value label="session key check value" value={p.sessionKeyKcv} /> : null}
        <div className="exchange-value">
          <dt>ephemeral private key</dt>
          <dd>{p.ephemeralDestroyed ? 'destroyed after one use' : p.ownPublicHex ? 'held (not yet used)' : 'not made yet'}</dd>
        </div>
      </dl>
    </section>
  );
}

function AttackerCard(props: { view: ExchangeView }) {
  const a = props.view.attacker;
  if (!a) return null;
  return (
    <section className="exchange-party exchange-attacker panel" aria-label={`${a.name}'s view`}>
      <h3>{a.name}&apos;s view (attacker)</h3>
      <p>{a.mode === 'eavesdrop' ? 'Records every message; holds no key.' : 'Replaces each public key with its own.'}</p>
      <dl className="exchange-fields">
        {a.kcvWithInitiator ? <Value label={`key shared with ${props.view.initiator.name} (KCV)`} value={a.kcvWithInitiator} /> : null}
        {a.kcvWithResponder ? <Value label={`key shared with ${props.view.responder.name} (KCV)`} value={a.kcvWithResponder} /> : null}
        <div className="exchange-value">
          <dt>can read the conversation</dt>
          <dd>{a.canRead ? 'yes' : 'no'}</dd>
        </div>
      </dl>
    </section>
  );
}

function Messages(props: { view: ExchangeView }) {
  const store = useAppStoreApi();
  const op = useAppStore((s) => s.exchange.ops[exchangeOpNames.send]);
  const [from, setFrom] = useState<'initiator' | 'responder'>('initiator');
  const [text, setText] = useState('');
  const [tamper, setTamper] = useState('');
  const v = props.view;
  const attacker = v.attacker?.name;
  const ids = useId();
  async function onSend(e: FormEvent) {
    e.preventDefault();
    const r = await store.getState().exchange.send(from, text, tamper);
    if (r.ok) {
      setText('');
      setTamper('');
    }
  }
  return (
    <section aria-labelledby={`${ids}-h`} className="exchange-section">
      <h2 id={`${ids}-h`}>Messages under the session key</h2>
      <form className="form" onSubmit={onSend}>
        <fieldset className="fieldset">
          <legend>Sender</legend>
          {(['initiator', 'responder'] as const).map((r) => (
            <label key={r} className="field-check">
              <input type="radio" name="sender" checked={from === r} onChange={() => setFrom(r)} />
              {r === 'initiator' ? v.initiator.name : v.responder.name}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${ids}-text`}>Message</label>
          <input id={`${ids}-text`} value={text} onChange={(e) => setText(e.target.value)} required />
        </div>
        {attacker ? (
          <div className="field">
            <label htmlFor={`${ids}-tamper`}>{attacker} replaces it with (optional)</label>
            <input id={`${ids}-tamper`} value={tamper} onChange={(e) => setTamper(e.target.value)} aria-describedby={`${ids}-tamper-hint`} />
            <p className="hint" id={`${ids}-tamper-hint`}>
              With the keys, {attacker} re-encrypts the new text; without them it can only flip ciphertext bits, which the receiver detects.
            </p>
          </div>
        ) : null}
        <button className="button button-primary" type="submit" disabled={op?.status === 'busy'}>
          Send message
        </button>
      </form>
      <ErrorAlert error={op?.status === 'error' ? op.error : undefined} title="Could not send" />
      {v.deliveries.length > 0 ? (
        <DataTable
          caption="Messages sent"
          captionShown
          plain
          className="exchange-deliveries"
          rows={v.deliveries}
          rowKey={(d) => `${d.from}-${d.seq}`}
          columns={[
            {
              header: 'From → to',
              cell: (d) => `${d.from === 'initiator' ? v.initiator.name : v.responder.name} → ${d.to === 'initiator' ? v.initiator.name : v.responder.name}`,
            },
            { header: 'Sent', cell: (d) => d.sentText },
            {
              header: 'Ciphertext on the wire',
              cell: (d) => (
                <code className="mono" title={d.ciphertextHex}>
                  {shortHex(d.ciphertextHex, 10)}
                </code>
              ),
            },
            ...(attacker
              ? [{ header: `${attacker} read`, cell: (d: ExchangeView['deliveries'][number]) => `${d.attackerRead === null ? 'only ciphertext' : d.attackerRead}${d.altered ? ' (altered)' : ''}` }]
              : []),
            { header: 'Received', cell: (d) => (d.delivered.ok ? d.delivered.text : `refused: ${deliveryRefusal(d, v)}`) },
          ]}
        />
      ) : null}
    </section>
  );
}

function ExchangeRun(props: { view: ExchangeView }) {
  const store = useAppStoreApi();
  const op = useAppStore((s) => s.exchange.ops[exchangeOpNames.step]);
  const v = props.view;
  const busy = op?.status === 'busy';
  return (
    <section aria-labelledby="exchange-run-h" className="exchange-section">
      <h2 id="exchange-run-h">
        {v.initiator.name} and {v.responder.name}
        {v.attacker ? ` with ${v.attacker.name} in the middle` : ''} · {v.curve} · {v.mode}
      </h2>
      <div className="exchange-lanes" aria-hidden="true">
        <span className="lane-initiator">{v.initiator.name}</span>
        {v.attacker ? <span className="lane-attacker">{v.attacker.name}</span> : null}
        <span className="lane-responder">{v.responder.name}</span>
      </div>
      {v.steps.length > 0 ? (
        <ol className="exchange-steps" aria-label="Exchange steps">
          {v.steps.map((s) => (
            <Step key={s.index} step={s} view={v} />
          ))}
        </ol>
      ) : (
        <p>Nothing has happened yet.</p>
      )}
      {v.nextStep ? (
        <p className="exchange-controls">
          <button className="button button-primary" type="button" disabled={busy} onClick={() => void store.getState().exchange.step()}>
            Next step
          </button>{' '}
          <button className="button" type="button" disabled={busy} onClick={() => void store.getState().exchange.runToEnd()}>
            Run to the end
          </button>{' '}
          <span className="hint">Next: {nextStepLabel(v.nextStep, v)}</span>
        </p>
      ) : null}
      <ErrorAlert error={op?.status === 'error' ? op.error : undefined} title="The exchange stopped" />
      <StatusMessage>
        {v.status === 'established'
          ? `Exchange complete: ${v.initiator.name} and ${v.responder.name} each hold a session key.`
          : v.status === 'refused'
            ? `Exchange refused by ${v.failure?.party === 'responder' ? v.responder.name : v.initiator.name}: the ${v.failure?.check} check failed.`
            : ''}
      </StatusMessage>
      {v.failure ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">Attack detected — exchange refused ({v.failure.check})</p>
          <p className="alert-message">{failureMessage(v)}</p>
        </div>
      ) : null}
      {v.comparison ? (
        v.comparison.match ? (
          <div className="alert exchange-match exchange-compare">
            <p className="alert-title">Fingerprints match</p>
            <p className="alert-message">
              Both read {v.comparison.initiator.sas}: they saw the same public keys.
            </p>
          </div>
        ) : (
          <div className="alert alert-error exchange-compare" role="alert">
            <p className="alert-title">Fingerprints differ: a man in the middle</p>
            <p className="alert-message">
              {v.initiator.name} reads {v.comparison.initiator.sas}, {v.responder.name} reads {v.comparison.responder.sas}. Each shares its key with someone else.
            </p>
          </div>
        )
      ) : null}
      <div className="exchange-parties">
        <PartyCard party={v.initiator} />
        <AttackerCard view={v} />
        <PartyCard party={v.responder} />
      </div>
      {v.status === 'established' ? <Messages view={v} /> : null}
    </section>
  );
}

function SetupForm() {
  const store = useAppStoreApi();
  const curves = useAppStore((s) => s.exchange.curves);
  const parties = useAppStore((s) => s.exchange.parties);
  const startOp = useAppStore((s) => s.exchange.ops[exchangeOpNames.start]);
  const demoOp = useAppStore((s) => s.exchange.ops[exchangeOpNames.demoParties]);
  const setupOp = useAppStore((s) => s.exchange.ops[exchangeOpNames.setup]);
  const [mode, setMode] = useState<ExchangeMode>('unauthenticated');
  const [curve, setCurve] = useState<ExchangeCurve>('P-256');
  const [attacker, setAttacker] = useState<AttackerMode>('none');
  const [strategy, setStrategy] = useState<AttackerStrategy>('relay-signatures');
  const [iName, setIName] = useState('Alice');
  const [rName, setRName] = useState('Bob');
  const [iCert, setICert] = useState('');
  const [rCert, setRCert] = useState('');
  const [aCert, setACert] = useState('');
  const ids = useId();

  // Until the user picks, the certificate choices default to Alice, Bob and Mallory.
  const findCert = (n: string) => parties.find((p) => p.name === n && p.status === 'valid')?.certId ?? '';
  const iCertValue = iCert || findCert('Alice');
  const rCertValue = rCert || findCert('Bob');
  const aCertValue = aCert || findCert('Mallory');

  async function onStart(e: FormEvent) {
    e.preventDefault();
    const auth = mode === 'authenticated';
    // The select elements are required: the browser submits no empty choice.
    if (auth && (!iCertValue || !rCertValue)) return;
    const p: StartExchangeParams = {
      mode,
      curve,
      initiator: auth ? { certId: asCertId(iCertValue) } : { name: iName },
      responder: auth ? { certId: asCertId(rCertValue) } : { name: rName },
      attacker:
        attacker === 'none'
          ? { mode: 'none' }
          : { mode: attacker, ...(auth && attacker === 'substitute' ? { strategy } : {}), ...(auth && attacker === 'substitute' && strategy === 'own-certificate' && aCertValue ? { party: { certId: asCertId(aCertValue) } } : {}) },
    };
    await store.getState().exchange.start(p);
  }

  const certOptions = parties.map((p) => (
    <option key={p.certId} value={p.certId}>
      {p.name} — {p.status} (issued by {p.issuer})
    </option>
  ));

  return (
    <section aria-labelledby={`${ids}-h`} className="exchange-section">
      <h2 id={`${ids}-h`}>Set up an exchange</h2>
      <ErrorAlert error={setupOp?.status === 'error' ? setupOp.error : undefined} title="Could not load the curves and parties" />
      <form className="form" onSubmit={onStart}>
        <fieldset className="fieldset">
          <legend>Authentication</legend>
          <label className="field-check">
            <input type="radio" name="mode" checked={mode === 'unauthenticated'} onChange={() => setMode('unauthenticated')} />
            Unauthenticated (plain ECDH)
          </label>
          <label className="field-check">
            <input type="radio" name="mode" checked={mode === 'authenticated'} onChange={() => setMode('authenticated')} />
            Authenticated (signatures and certificates from the Clavis CA)
          </label>
        </fieldset>
        <Field label="Curve">
          {(control) => (
            <select {...control} value={curve} onChange={(e) => setCurve(e.target.value as ExchangeCurve)}>
              {(curves.length ? curves : [{ curve: 'P-256' as const, available: true }]).map((c) => (
                <option key={c.curve} value={c.curve} disabled={!c.available}>
                  {EXCHANGE_CURVE_LABELS[c.curve]}
                  {c.available ? '' : ' (not offered by this browser)'}
                </option>
              ))}
            </select>
          )}
        </Field>
        {mode === 'unauthenticated' ? (
          <fieldset className="fieldset">
            <legend>Parties</legend>
            <div className="field">
              <label htmlFor={`${ids}-iname`}>Initiator name</label>
              <input id={`${ids}-iname`} value={iName} onChange={(e) => setIName(e.target.value)} required />
            </div>
            <div className="field">
              <label htmlFor={`${ids}-rname`}>Responder name</label>
              <input id={`${ids}-rname`} value={rName} onChange={(e) => setRName(e.target.value)} required />
            </div>
          </fieldset>
        ) : (
          <fieldset className="fieldset">
            <legend>Parties</legend>
            <p className="hint">Each party signs with a vault key whose TLS client certificate comes from a Clavis CA; the peer validates the chain and the CRL.</p>
            <p>
              <button className="button" type="button" disabled={demoOp?.status === 'busy'} onClick={() => void store.getState().exchange.createDemoParties()}>
                Create demo parties (Alice, Bob, Mallory)
              </button>
            </p>
            <ErrorAlert error={demoOp?.status === 'error' ? demoOp.error : undefined} title="Could not create the demo parties" />
            <Field label="Initiator certificate">
              {(control) => (
                <select {...control} value={iCertValue} onChange={(e) => setICert(e.target.value)} required>
                  <option value="">Choose…</option>
                  {certOptions}
                </select>
              )}
            </Field>
            <Field label="Responder certificate">
              {(control) => (
                <select {...control} value={rCertValue} onChange={(e) => setRCert(e.target.value)} required>
                  <option value="">Choose…</option>
                  {certOptions}
                </select>
              )}
            </Field>
          </fieldset>
        )}
        <Field label="Attacker in the middle">
          {(control) => (
            <select {...control} value={attacker} onChange={(e) => setAttacker(e.target.value as AttackerMode)}>
              <option value="none">None</option>
              <option value="eavesdrop">Eavesdropper (records everything)</option>
              <option value="substitute">Man in the middle (replaces the public keys)</option>
            </select>
          )}
        </Field>
        {mode === 'authenticated' && attacker === 'substitute' ? (
          <fieldset className="fieldset">
            <legend>What the attacker does about signatures</legend>
            <label className="field-check">
              <input type="radio" name="strategy" checked={strategy === 'relay-signatures'} onChange={() => setStrategy('relay-signatures')} />
              Relay the parties&apos; signatures
            </label>
            <label className="field-check">
              <input type="radio" name="strategy" checked={strategy === 'own-certificate'} onChange={() => setStrategy('own-certificate')} />
              Sign with its own valid certificate
            </label>
            {strategy === 'own-certificate' ? (
              <Field label="Attacker certificate">
                {(control) => (
                  <select {...control} value={aCertValue} onChange={(e) => setACert(e.target.value)} required>
                    <option value="">Choose…</option>
                    {certOptions}
                  </select>
                )}
              </Field>
            ) : null}
          </fieldset>
        ) : null}
        <button className="button button-primary" type="submit" disabled={startOp?.status === 'busy'}>
          Start exchange
        </button>
      </form>
      <ErrorAlert error={startOp?.status === 'error' ? startOp.error : undefined} title="Could not start the exchange" />
    </section>
  );
}

/** #/exchange: the page runs over the exchange demo's own engine, never the user's vault. */
export function ExchangePage(props: { demoEngine?: () => Promise<Engine> }) {
  const open = props.demoEngine ?? exchangeDemoEngine;
  const [engine, setEngine] = useState<Engine | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  useEffect(() => {
    let live = true;
    open().then(
      (e) => live && setEngine(e),
      (e: unknown) => live && setError({ code: (e as { code?: string }).code ?? 'STORAGE', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [open]);
  const store = useMemo(() => (engine ? createAppStore(engine) : null), [engine]);
  return (
    <>
      <PageTitle documentTitle="Key exchange">Key exchange</PageTitle>
      <p className="lede">
        Two parties agree a key over an open channel with ECDH, then HKDF-SHA-256 turns the shared secret into an AES-GCM-256 session key. Without
        authentication a man in the middle holds one key with each side; with signatures chained to the Clavis CA he is caught.
      </p>
      <p className="hint">
        This demonstration keeps its parties, keys, CA and certificates in its own database: your keys, CAs and certificates are never touched.
      </p>
      <ErrorAlert error={error} title="Could not open the exchange demo’s database" />
      {engine && store ? (
        <EngineProvider engine={engine} store={store}>
          <ExchangeScreens />
        </EngineProvider>
      ) : error ? null : (
        <p role="status">Opening the exchange demo…</p>
      )}
    </>
  );
}

function ExchangeScreens() {
  const store = useAppStoreApi();
  const view = useAppStore((s) => s.exchange.view);
  useEffect(() => {
    void store.getState().exchange.loadSetup();
  }, [store]);
  return (
    <>
      <SetupForm />
      {view ? <ExchangeRun view={view} /> : null}
      <ForwardSecrecySection />
      <ClassicDhSection />
    </>
  );
}
