// One KDC protocol message drawn part by part: protection, decoded fields, bytes.
import { useId } from 'react';
import type { WireMessage } from '../../engine';
import { isClearPart, KDC_PART_LABELS, kdcFieldNoteText, kdcFieldValueText, kdcMessageTitle, kdcProtectionText } from '../../copy/kdc';

/** Hex bytes in groups of 16, for the "as bytes" view. */
export function hexLines(hex: string): string {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 32) {
    const row = hex.slice(i, i + 32).replace(/(..)(?!$)/g, '$1 ');
    lines.push(`${(i / 2).toString(16).padStart(4, '0')}  ${row}`);
  }
  return lines.join('\n');
}

/** One protocol message: each part with what protects it, its decoded fields, and the bytes. */
export function MessageView(props: { message: WireMessage; headingLevel?: 3 | 4 }) {
  const m = props.message;
  const H = props.headingLevel === 4 ? 'h4' : 'h3';
  const id = useId();
  return (
    <article className="kdc-message" aria-labelledby={id}>
      <H id={id} className="kdc-message-title">
        {m.step > 0 ? `Message ${m.step}: ` : ''}
        {m.from} → {m.to} <span className="muted">({m.type})</span>
      </H>
      <p>{kdcMessageTitle(m)}</p>
      {m.sections.map((s, i) => (
        <section key={i} className={`kdc-section ${isClearPart(s.protection) ? 'kdc-clear' : 'kdc-sealed'}`} aria-label={`${KDC_PART_LABELS[s.part]} of message ${m.step || m.type}`}>
          <p className="kdc-section-title">
            <strong>{KDC_PART_LABELS[s.part]}</strong> — <span className="kdc-protection">{kdcProtectionText(s.protection)}</span>
          </p>
          <dl className="kdc-fields">
            {s.fields.map((f) => (
              <div key={f.name}>
                <dt>{f.name}</dt>
                <dd>
                  <span className="mono">{kdcFieldValueText(f.value)}</span>
                  {f.note ? <span className="hint"> {kdcFieldNoteText(f.note, s)}</span> : null}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <details className="kdc-bytes">
        <summary>
          Bytes ({m.length}) of message {m.step || m.type}
        </summary>
        <pre className="mono" tabIndex={0} aria-label={`Hex bytes of message ${m.step || m.type}`}>
          {hexLines(m.hex)}
        </pre>
      </details>
    </article>
  );
}
