// The revocation reason picker that the certificate page, bulk revocation and the sweeps share.
import type { RevocationReason } from '../../engine';
import { ChoiceField } from '../../components/ui/field';
import { REASON_CHOICES } from './labels';

/** A labelled select of the RFC 5280 reasons Clavis writes; `id` names the select for its label. */
export function ReasonField(props: { id: string; label: string; value: RevocationReason; onChange: (r: RevocationReason) => void; disabled?: boolean }) {
  return <ChoiceField id={props.id} label={props.label} value={props.value} onChange={props.onChange} choices={REASON_CHOICES} disabled={props.disabled} />;
}
