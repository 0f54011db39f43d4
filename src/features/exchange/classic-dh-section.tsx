/** D5: classic finite-field Diffie–Hellman with small numbers, drawn, beside the real ECDH. A teaching aid. */
import { useId, useState, type FormEvent } from 'react';
import { DataTable } from '../../components/ui/data-table';
import { ErrorAlert } from '../../components/ui/messages';
import { useAppStore, useAppStoreApi } from '../../state/engine-provider';
import { exchangeOpNames } from '../../state/slices/exchange-slice';
import { CLASSIC_DH_ANALOGY, CLASSIC_DH_STEP_WHAT, CLASSIC_DH_WARNING, classicDhStepValue } from '../../copy/exchange';

function num(s: string): number | undefined {
  const t = s.trim();
  return t === '' ? undefined : Number(t);
}

export function ClassicDhSection() {
  const store = useAppStoreApi();
  const r = useAppStore((s) => s.exchange.classic);
  const op = useAppStore((s) => s.exchange.ops[exchangeOpNames.classic]);
  const [p, setP] = useState('23');
  const [g, setG] = useState('5');
  const [a, setA] = useState('6');
  const [b, setB] = useState('15');
  const ids = useId();
  async function onRun(e: FormEvent) {
    e.preventDefault();
    const params: Record<string, number> = {};
    for (const [k, v] of Object.entries({ p, g, a, b })) {
      const n = num(v);
      if (n !== undefined) params[k] = n;
    }
    await store.getState().exchange.runClassicDh(params);
  }
  const field = (id: string, label: string, value: string, set: (v: string) => void, hint?: string) => (
    <div className="field">
      <label htmlFor={`${ids}-${id}`}>{label}</label>
      <input id={`${ids}-${id}`} inputMode="numeric" value={value} onChange={(e) => set(e.target.value)} />
      {hint ? <p className="hint">{hint}</p> : null}
    </div>
  );
  return (
    <section aria-labelledby={`${ids}-h`} className="exchange-section">
      <h2 id={`${ids}-h`}>Classic Diffie–Hellman with small numbers</h2>
      <p className="exchange-teaching">
        <strong>Teaching aid only.</strong> This is the finite-field exchange the seeds describe, with numbers small enough to follow by hand. Clavis
        never uses it to protect data.
      </p>
      <form className="form exchange-classic-form" onSubmit={onRun}>
        {field('p', 'Prime p', p, setP)}
        {field('g', 'Generator g', g, setG)}
        {field('a', "Alice's secret a", a, setA, 'Leave empty for a random one')}
        {field('b', "Bob's secret b", b, setB, 'Leave empty for a random one')}
        <button className="button button-primary" type="submit">
          Compute step by step
        </button>
      </form>
      <ErrorAlert error={op?.status === 'error' ? op.error : undefined} title="Cannot compute" />
      {r ? (
        <>
          <p className="exchange-teaching">{CLASSIC_DH_WARNING}</p>
          <DataTable
            caption={`p = ${r.p}, g = ${r.g}: both sides reach ${r.sharedByAlice}`}
            captionShown
            regionLabel="Classic Diffie–Hellman steps (table, scrolls sideways on small screens)"
            plain
            rows={r.steps}
            rowKey={(s) => s.id}
            columns={[
              { header: 'Who', cell: (s) => s.who },
              { header: 'What', cell: (s) => CLASSIC_DH_STEP_WHAT[s.id] },
              { header: 'Computation', cell: (s) => <code>{s.formula}</code> },
              { header: 'Value', cell: (s) => classicDhStepValue(s, r) },
            ]}
          />
          {r.powers ? (
            <figure className="exchange-powers">
              <figcaption>
                Powers of g = {r.g} modulo {r.p}: g<sup>k</sup> mod p for k = 1 … {Number(r.p) - 1}. Alice&apos;s public value sits at k = a ={' '}
                {r.a}, Bob&apos;s at k = b = {r.b}.
              </figcaption>
              <ol className="exchange-power-row">
                {r.powers.map((v, i) => {
                  const k = String(i + 1);
                  const mark = k === r.a && k === r.b ? ' (a and b)' : k === r.a ? ' (a: Alice sends this)' : k === r.b ? ' (b: Bob sends this)' : '';
                  return (
                    <li key={k} className={`exchange-power${k === r.a ? ' is-a' : ''}${k === r.b ? ' is-b' : ''}`}>
                      <span className="exchange-power-k">k={k}</span>
                      <span className="exchange-power-v">{v}</span>
                      {mark ? <span className="visually-hidden">{mark}</span> : null}
                    </li>
                  );
                })}
              </ol>
            </figure>
          ) : null}
          <DataTable
            caption="The same structure in the real exchange"
            captionShown
            plain
            rows={CLASSIC_DH_ANALOGY}
            rowKey={(row) => row.classic}
            columns={[
              { header: 'Classic DH (teaching aid)', cell: (row) => row.classic },
              { header: 'ECDH / X25519 in Clavis', cell: (row) => row.ecdh },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}
