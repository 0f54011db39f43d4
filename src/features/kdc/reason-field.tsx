/** The revocation-reason picker of the KDC's revoke dialogs (principals and distributed keys). */
import type { KeyRevocationReason } from '../../engine';
import { REVOCATION_REASONS } from '../../engine/lifecycle/revocation';
import { ChoiceField } from '../../components/ui/field';

/** Reasons offered for principals and keys, labelled as the lifecycle labels them. */
export const KDC_REASONS: ReadonlyArray<{ value: KeyRevocationReason; label: string }> = (
  ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn', 'unspecified'] as const
).map((value) => ({ value, label: REVOCATION_REASONS[value].label }));

export function ReasonField(props: { id: string; value: KeyRevocationReason; onChange: (reason: KeyRevocationReason) => void }) {
  return <ChoiceField id={props.id} label="Reason" value={props.value} onChange={props.onChange} choices={KDC_REASONS} />;
}
