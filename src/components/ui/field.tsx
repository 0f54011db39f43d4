// A labelled form control (label, control, hint, error wired by ids), a labelled select of fixed choices, and the select of a list filter.
import { useId, type ChangeEvent, type ReactNode } from 'react';

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
 *
 * `<Field label="Search keys">{(control) => <input {...control} type="search" value={text} onChange={onText} />}</Field>`
 */
export function Field(props: {
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  className?: string;
  /** A fixed control id where links, tests or other pages rely on it (the hint and error ids follow it); generated otherwise. */
  id?: string;
  children: (control: FieldControl) => ReactNode;
}) {
  const generated = useId();
  const id = props.id ?? generated;
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

/** One choice of a `ChoiceField` or `SelectField`. */
export interface Choice<T extends string = string> {
  value: T;
  label: ReactNode;
}

/** The options of `choices`, in order. */
function Options<T extends string>(props: { choices: readonly Choice<T>[] }) {
  return props.choices.map((c) => (
    <option key={c.value} value={c.value}>
      {c.label}
    </option>
  ));
}

/**
 * A labelled select of fixed choices; `onChange` gets the chosen value, typed as the choices are:
 * `<ChoiceField label="Reason" value={reason} onChange={setReason} choices={REASON_CHOICES} />`.
 */
export function ChoiceField<T extends string>(props: { label: ReactNode; value: T; onChange: (value: T) => void; choices: readonly Choice<T>[]; id?: string; disabled?: boolean }) {
  return (
    <Field label={props.label} {...(props.id ? { id: props.id } : {})}>
      {(control) => (
        // The options are exactly `choices`, so the select's value is always one of them.
        <select {...control} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T)} disabled={props.disabled}>
          <Options choices={props.choices} />
        </select>
      )}
    </Field>
  );
}

/**
 * A labelled select whose first choice, value '', means "any" (a list filter):
 * `<SelectField label="Owner" value={owner} onChange={onOwner} any="Any owner" choices={owners} />`.
 */
export function SelectField(props: { label: ReactNode; value: string; onChange: (e: ChangeEvent<HTMLSelectElement>) => void; any: string; choices: readonly Choice[] }) {
  return (
    <Field label={props.label}>
      {(control) => (
        <select {...control} value={props.value} onChange={props.onChange}>
          <option value="">{props.any}</option>
          <Options choices={props.choices} />
        </select>
      )}
    </Field>
  );
}
