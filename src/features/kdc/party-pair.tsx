// The KDC screens' pair of party pickers: A (client) and B (service), side by side.
import { Field } from '../../components/ui/field';

/** Two labelled selects over `parties`; `ids` keeps each select's fixed id, `option` words a party. */
export function PartyPair<P extends { name: string }>(props: {
  ids: { a: string; b: string };
  parties: readonly P[];
  client: string;
  service: string;
  onClient: (name: string) => void;
  onService: (name: string) => void;
  option: (p: P) => string;
}) {
  const picker = (id: string, label: string, value: string, onChange: (name: string) => void) => (
    <Field id={id} label={label}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value)}>
          {props.parties.map((p) => (
            <option key={p.name} value={p.name}>
              {props.option(p)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <div className="kdc-pair">
      {picker(props.ids.a, 'A (client)', props.client, props.onClient)}
      {picker(props.ids.b, 'B (service)', props.service, props.onService)}
    </div>
  );
}
