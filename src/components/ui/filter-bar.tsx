/**
 * The pieces every list page repeats: a labelled field (label, control, hint, error wired
 * by ids), a select with an "Any …" choice, the filter bar (a search landmark with "Clear
 * filters" while a filter is set) and the count message read out when the list changes.
 */
import { useId, type ChangeEvent, type ReactNode } from 'react';
import { StatusMessage } from './messages';

/** What a `Field` hands its control so that the label, hint and error point at it. */
export interface FieldControl {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/**
 * A label, its control (rendered by `children` with the ids it needs), an optional hint
 * and an optional error, inside `.field`. The control is named by the label and described
 * by the hint and the error.
 */
export function Field(props: { label: ReactNode; hint?: ReactNode; error?: ReactNode; className?: string; children: (control: FieldControl) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [props.hint ? hintId : null, props.error ? errorId : null].filter(Boolean).join(' ');
  const control: FieldControl = { id };
  if (described) control['aria-describedby'] = described;
  if (props.error) control['aria-invalid'] = true;
  return (
    <div className={props.className ? `field ${props.className}` : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(control)}
      {props.hint ? (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** One choice of a `SelectField`. */
export interface Choice {
  value: string;
  label: ReactNode;
}

/** A labelled select whose first choice, value '', means "any" (a list filter). */
export function SelectField(props: { label: ReactNode; value: string; onChange: (e: ChangeEvent<HTMLSelectElement>) => void; any: string; choices: readonly Choice[] }) {
  return (
    <Field label={props.label}>
      {(control) => (
        <select {...control} value={props.value} onChange={props.onChange}>
          <option value="">{props.any}</option>
          {props.choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The filters of a list: a search landmark named `label`, and "Clear filters" while `filtering`. */
export function FilterBar(props: { label: string; filtering: boolean; onClear: () => void; className?: string; children: ReactNode }) {
  return (
    <div role="search" className={props.className ? `filters ${props.className}` : 'filters'} aria-label={props.label}>
      {props.children}
      {props.filtering ? (
        <button type="button" className="button" onClick={props.onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

/** "Showing 2 of 6 keys" while filtering, "6 keys" (or "1 key") otherwise. */
export function countText(shown: number, total: number, filtering: boolean, one: string, many: string): string {
  return filtering ? `Showing ${shown} of ${total} ${many}` : `${total} ${total === 1 ? one : many}`;
}

/** The count message of a list, announced as a status. */
export function CountMessage(props: { shown: number; total: number; filtering: boolean; one: string; many: string }) {
  return <StatusMessage>{countText(props.shown, props.total, props.filtering, props.one, props.many)}</StatusMessage>;
}

/** What a list shows when its filters match nothing. */
export function NoMatches(props: { children: ReactNode }) {
  return <p className="empty-state">{props.children}</p>;
}
