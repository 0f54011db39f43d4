// The revocation reason picker that the certificate page, bulk revocation and the sweeps share.
import type { RevocationReason } from '../../engine';
import { REASON_CHOICES } from './labels';

/** A labelled select of the RFC 5280 reasons Clavis writes; `id` names the select for its label. */
export function ReasonField(props: { id: string; label: string; value: RevocationReason; onChange: (r: RevocationReason) => void; disabled?: boolean }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as RevocationReason)} disabled={props.disabled}>
        {REASON_CHOICES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </select>
    </div>
  );
}
