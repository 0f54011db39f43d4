// The key template choice, with the templates this browser cannot make marked.
import { useId } from 'react';
import type { TemplateName } from '../../engine';
import type { TemplateInfo } from '../../state/types';
import { familyLabel, operationsLabel } from './labels';

/** Templates grouped by family, in the engine's order. */
function byFamily(templates: readonly TemplateInfo[]): Array<[string, TemplateInfo[]]> {
  const groups = new Map<string, TemplateInfo[]>();
  for (const t of templates) {
    const g = groups.get(t.family);
    if (g) g.push(t);
    else groups.set(t.family, [t]);
  }
  return [...groups];
}

/**
 * The "Template" picker: a select grouped by family. Templates this browser does not
 * offer are disabled and say so; the chosen template's description is shown under it.
 */
export function TemplateSelect(props: {
  templates: readonly TemplateInfo[];
  value: TemplateName | '';
  onChange: (name: TemplateName | '') => void;
  loading: boolean;
  disabled?: boolean;
  /** Adds a first option with this text and the value ''. */
  emptyOption?: string;
  hint?: string;
}) {
  const id = useId();
  const descId = useId();
  const chosen = props.templates.find((t) => t.name === props.value);
  const unavailable = props.templates.filter((t) => !t.available);
  return (
    <div className="field">
      <label htmlFor={id}>Template</label>
      {props.hint ? <p className="hint">{props.hint}</p> : null}
      <select
        id={id}
        value={props.value}
        disabled={props.disabled || props.loading}
        aria-describedby={descId}
        onChange={(e) => props.onChange(e.currentTarget.value as TemplateName | '')}
      >
        {props.loading ? <option value={props.value}>Loading templates…</option> : null}
        {props.emptyOption !== undefined ? <option value="">{props.emptyOption}</option> : null}
        {byFamily(props.templates).map(([family, list]) => (
          <optgroup key={family} label={familyLabel(family)}>
            {list.map((t) => (
              <option key={t.name} value={t.name} disabled={!t.available}>
                {t.available ? t.label : `${t.label} (not offered by this browser)`}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <div id={descId} className="template-description">
        {chosen ? (
          <>
            <p>{chosen.description}</p>
            <p className="hint">
              Strength: {chosen.strength}. Operations: {operationsLabel(chosen.operations)}.
              {chosen.slow ? ' Generation takes a few seconds.' : ''}
            </p>
          </>
        ) : null}
      </div>
      {unavailable.length > 0 ? (
        <p className="hint">
          Not offered by this browser: {unavailable.map((t) => t.label).join(', ')}.
        </p>
      ) : null}
    </div>
  );
}
