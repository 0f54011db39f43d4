/**
 * The verifier's explanation, drawn the same way wherever a chain is verified (the
 * certificate page, the Verify screen): the verdict, the engine's one-sentence summary,
 * the path as a list, every check in order with pass/fail, its rule, the RFC section and
 * the engine's plain sentence, and the alternatives the path builder tried. The data is
 * the engine's (`VerifyResult`); this component only lays it out, so both screens say
 * exactly the same thing.
 */

/** The shape of the engine's VerifyResult this component reads (structural, no engine import). */
export interface VerifyExplanation {
  valid: boolean;
  revocation: 'good' | 'revoked' | 'unknown';
  steps: ReadonlyArray<{ name: string; ok: boolean; detail: string; section?: string; warning?: boolean }>;
  profile?: 'rfc5280' | 'webpki';
  summary?: string;
  path?: ReadonlyArray<{ subject: string; issuer: string; serial: string; role: string; notBefore: string; notAfter: string }>;
  alternatives?: ReadonlyArray<{ path: readonly string[]; reason: string }>;
}

/** A verdict with its checks. `showPath` adds the path and the alternatives tried. */
export function VerifyChecks(props: { result: VerifyExplanation; showPath?: boolean; label?: string }) {
  const r = props.result;
  const label = props.label ?? 'Checks';
  return (
    <>
      <p className={`verdict ${r.valid ? 'verdict-valid' : 'verdict-invalid'}`}>
        {r.valid ? '✓ The chain verifies' : '✗ The chain does not verify'} · revocation: {r.revocation}
        {r.profile ? ` · judged by the ${r.profile === 'webpki' ? 'web PKI' : 'RFC 5280'} profile` : ''}
      </p>
      {r.summary ? <p className="verify-summary">{r.summary}</p> : null}
      {props.showPath ? (
        r.path && r.path.length > 0 ? (
          <>
            <h3>Path</h3>
            <ol className="verify-path" aria-label="Certification path, trust anchor first">
              {r.path.map((p, i) => (
                <li key={`${i}-${p.serial}`}>
                  <strong>{p.role}</strong>: <code>{p.subject}</code>
                  <span className="hint">
                    {' '}
                    issued by <code>{p.issuer}</code>, serial <code>{p.serial}</code>, valid {p.notBefore.slice(0, 10)} to {p.notAfter.slice(0, 10)}
                  </span>
                </li>
              ))}
            </ol>
          </>
        ) : (
          <p>No path from the certificate to a trust anchor was found.</p>
        )
      ) : null}
      {props.showPath ? <h3>{label}</h3> : null}
      <ol className="verify-steps" aria-label={`${label}, in the order the verifier made them`}>
        {r.steps.map((s, i) => (
          <li key={`${i}-${s.name}`} className={s.ok ? (s.warning ? 'step-warn' : 'step-pass') : 'step-fail'}>
            <span className="step-mark">{s.ok ? (s.warning ? '⚠ Warning' : '✓ Pass') : '✗ Fail'}</span> <strong>{s.name}</strong>: {s.detail}
            {s.section ? <span className="step-rule"> ({s.section})</span> : null}
          </li>
        ))}
      </ol>
      {props.showPath && r.alternatives && r.alternatives.length > 0 ? (
        <>
          <h3>Other paths tried</h3>
          <ul className="verify-alternatives" aria-label="Paths the builder tried and gave up on">
            {r.alternatives.map((a, i) => (
              <li key={i}>
                <span>{a.path.length ? a.path.join(' → ') : '(no certificate)'}</span>: {a.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
