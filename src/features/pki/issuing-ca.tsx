/**
 * The "Issuing CA" choice that the issue and bulk-issue screens share: which CAs may
 * issue now, which one is chosen, the field, and what shows when there is none.
 */
import type { CaInfo } from '../../engine';
import { Field } from '../../components/ui/field';
import { href } from '../../routes/routes';

/** The CAs still valid at `now`, and the chosen one: `chosenId`, else an intermediate, else the first. */
export function pickIssuer(cas: readonly CaInfo[], chosenId: string, now: number): { issuers: CaInfo[]; ca: CaInfo | undefined } {
  const issuers = cas.filter((c) => Date.parse(c.notAfter) > now);
  const ca = issuers.find((c) => c.id === chosenId) ?? issuers.find((c) => c.kind === 'intermediate') ?? issuers[0];
  return { issuers, ca };
}

/** The empty state shown when no CA can issue, leading to CA creation. */
export function NoIssuer(props: { issuers: readonly CaInfo[] }) {
  if (props.issuers.length > 0) return null;
  return (
    <p className="empty-state">
      There is no CA that can issue yet. <a href={href({ name: 'ca-new' })}>Create a CA</a> first.
    </p>
  );
}

/** The labelled "Issuing CA" select, each CA named with its kind. */
export function IssuingCaField(props: { issuers: readonly CaInfo[]; ca: CaInfo | undefined; onChange: (id: string) => void; disabled?: boolean; hint?: string }) {
  return (
    <Field label="Issuing CA" hint={props.hint}>
      {(control) => (
        <select {...control} value={props.ca?.id ?? ''} disabled={props.disabled} onChange={(e) => props.onChange(e.currentTarget.value)}>
          {props.issuers.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.kind === 'root' ? 'root' : 'intermediate'})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
