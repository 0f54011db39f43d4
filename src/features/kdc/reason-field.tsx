/** The revocation-reason picker of the KDC's revoke dialogs (principals and distributed keys). */
import type { KeyRevocationReason } from '../../engine';
import { REVOCATION_REASONS } from '../../engine/lifecycle/revocation';
import { Field } from '../../components/ui/field';

/** Reasons offered for principals and keys, labelled as the lifecycle labels them. */
export const KDC_REASONS: ReadonlyArray<{ value: KeyRevocationReason; label: string }> = (
  ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn', 'unspecified'] as const
).map((value) => ({ value, label: REVOCATION_REASONS[value].label }));

export function ReasonField(props: { id: string; value: KeyRevocationReason; onChange: (reason: KeyRevocationReason) => void }) {
  return (
    <Field id={props.id} label="Reason">
      {(control) => (
        <select {...control} value={props.value} onChange={(e) => props.onChange(e.target.value as KeyRevocationReason)}>
          {KDC_REASONS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
