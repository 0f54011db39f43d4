// C5: the KDC's attacks screen: each attack against Clavis and against the unfixed protocol.
import { useState, type FormEvent } from 'react';
import { KDC_ATTACK_NAMES, type AttackOutcome, type AttackReport, type KdcAttackName, type KdcCheck } from '../../engine';
import { KDC_ATTACK_COPY, KDC_CHECK_LABELS, kdcAttemptWords, kdcOutcomeExplanation, kdcProtocolLabel } from '../../copy/kdc';
import { Badge, ErrorAlert } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { kdcOpNames } from '../../state/slices/kdc-slice';
import type { ErrorInfo } from '../../state/types';
import { KdcNav, NO_PARTIES, useKdcData, usePartyChoice } from './kdc-nav';
import { PartyPair } from './party-pair';
import { href } from '../../routes/routes';

/** The checks of Clavis's protocol, in the order B and A run them. */
const CHECK_ORDER: KdcCheck[] = ['message-format', 'addressing', 'aead', 'nonce', 'expiry', 'skew', 'replay-cache', 'key-revoked', 'principal-status', 'key-confirmation'];

function Outcome(props: { report: AttackReport; outcome: AttackOutcome; id: string }) {
  const o = props.outcome;
  const r = props.report;
  const title = o.protocol === 'clavis' ? "Against Clavis's protocol" : 'Against the unfixed protocol';
  return (
    <section className={`panel kdc-outcome ${o.succeeded ? 'kdc-outcome-broken' : 'kdc-outcome-held'}`} aria-labelledby={props.id}>
      <h3 id={props.id}>
        {title}: {o.succeeded ? <Badge tone="warn">attack succeeded</Badge> : <Badge tone="safe">attack refused</Badge>}
      </h3>
      <p className="hint">{kdcProtocolLabel(r, o)}</p>
      {o.refusedBy ? (
        <p>
          Refused by: <strong className="kdc-refusing">{KDC_CHECK_LABELS[o.refusedBy]}</strong>
        </p>
      ) : null}
      <ol aria-label={`What the attacker tried (${o.protocol === 'clavis' ? 'Clavis' : 'unfixed'})`}>
        {o.attempts.map((a, i) => {
          const words = kdcAttemptWords(a, r);
          return (
            <li key={i}>
              {words.description}: {a.accepted ? <strong>accepted</strong> : <span>refused by {a.check ? KDC_CHECK_LABELS[a.check] : 'a check'}</span>}
              <span className="hint"> — {words.message}</span>
            </li>
          );
        })}
      </ol>
      {o.protocol === 'clavis' ? (
        <ul className="kdc-checks" aria-label="Checks of Clavis's protocol">
          {CHECK_ORDER.map((c) => {
            const hit = o.attempts.some((a) => a.check === c);
            const main = o.refusedBy === c;
            return (
              <li key={c} className={main ? 'kdc-check-main' : hit ? 'kdc-check-hit' : undefined} aria-current={main ? 'true' : undefined}>
                {KDC_CHECK_LABELS[c]}
                {main ? ' — stopped the attack' : hit ? ' — refused an attempt' : ''}
              </li>
            );
          })}
        </ul>
      ) : null}
      <p>{kdcOutcomeExplanation(r, o)}</p>
    </section>
  );
}

/** C5: choose an attack, see it fail against Clavis and succeed against the unfixed protocol. */
export function KdcAttacksPage() {
  useKdcData();
  const principals = useAppStore((s) => s.kdc.principals);
  const report = useAppStore((s) => s.kdc.attack);
  const runAttack = useAppStore((s) => s.kdc.runAttack);
  const op = useAppStore((s) => s.kdc.ops[kdcOpNames.attack]);
  const active = principals.filter((p) => p.status === 'active');
  const [attack, setAttack] = useState<KdcAttackName>('denning-sacco');
  const { client, service, setClient, setService } = usePartyChoice(principals);
  const [error, setError] = useState<ErrorInfo | null>(null);

  async function onRun(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!client || !service) return setError(NO_PARTIES);
    const r = await runAttack(attack, client, service);
    if (!r.ok) setError(r.error);
  }

  return (
    <>
      <KdcNav current={href({ name: 'kdc-attacks' })} />
      <PageTitle documentTitle="KDC attacks">Attacks on key distribution</PageTitle>
      <p>
        Each attack runs for real twice: against Clavis&apos;s protocol (its refusals go to the audit log) and against the original Needham–Schroeder
        protocol without the fixes, which is <strong>insecure and for demonstration only</strong>. A run uses the two principals you choose and issues
        real tickets.
      </p>
      {active.length < 2 ? <p className="warning">Register two active principals first, on the <a href={href({ name: 'kdc-principals' })}>Principals</a> screen.</p> : null}
      <form className="form panel" onSubmit={(e) => void onRun(e)}>
        <fieldset className="fieldset">
          <legend>Attack</legend>
          {KDC_ATTACK_NAMES.map((name) => (
            <div className="field-check" key={name}>
              <input type="radio" id={`kdc-attack-${name}`} name="kdc-attack" value={name} checked={attack === name} onChange={() => setAttack(name)} />
              <label htmlFor={`kdc-attack-${name}`}>
                {KDC_ATTACK_COPY[name].title}
                <span className="hint"> {KDC_ATTACK_COPY[name].summary}</span>
              </label>
            </div>
          ))}
        </fieldset>
        <PartyPair ids={{ a: 'kdc-attack-a', b: 'kdc-attack-b' }} parties={active} client={client ?? ''} service={service ?? ''} onClient={setClient} onService={setService} option={(p) => p.name} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={active.length < 2 || op?.status === 'busy'}>
            {op?.status === 'busy' ? 'Running…' : 'Run attack'}
          </button>
        </div>
      </form>
      <ErrorAlert error={error} />
      {report ? (
        <section aria-labelledby="kdc-report-title">
          <h2 id="kdc-report-title">{KDC_ATTACK_COPY[report.attack].title}</h2>
          <p>{KDC_ATTACK_COPY[report.attack].summary}</p>
          <div className="kdc-outcomes">
            <Outcome report={report} outcome={report.clavis} id="kdc-outcome-clavis" />
            <Outcome report={report} outcome={report.unfixed} id="kdc-outcome-unfixed" />
          </div>
        </section>
      ) : null}
    </>
  );
}
