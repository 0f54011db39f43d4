/**
 * The subject and subject-alternative-name fieldsets shared by the issue and CSR pages:
 * one labelled input per name attribute, one textarea (a value per line) per SAN type.
 */
import type { DistinguishedName, SubjectAltNames } from '../../engine';
import { NAME_FIELDS, lines } from './labels';

/** SAN types with their labels and example placeholders. */
export const SAN_FIELDS: ReadonlyArray<{ key: keyof SubjectAltNames; label: string; placeholder: string }> = [
  { key: 'dns', label: 'DNS names', placeholder: 'app.example.com' },
  { key: 'ip', label: 'IP addresses', placeholder: '192.0.2.10' },
  { key: 'email', label: 'E-mail addresses', placeholder: 'alice@example.com' },
  { key: 'uri', label: 'URIs', placeholder: 'https://example.com/id' },
];

/** The SAN textareas' contents, a value per line. */
export type SanText = Record<keyof SubjectAltNames, string>;
export const EMPTY_SANS: SanText = { dns: '', ip: '', email: '', uri: '' };

/** The SANs the textareas name, empty types left out. */
export function sansOf(t: SanText): SubjectAltNames {
  const out: SubjectAltNames = {};
  for (const f of SAN_FIELDS) {
    const l = lines(t[f.key]);
    if (l.length) out[f.key] = l;
  }
  return out;
}

export interface SubjectFieldsProps {
  /** Makes the control ids unique on the page. */
  fid: (s: string) => string;
  subject: DistinguishedName;
  onSubject: (dn: DistinguishedName) => void;
  sans: SanText;
  onSans: (sans: SanText) => void;
  /** What the SAN fieldset's hint says. */
  sanHint: string;
}

export function SubjectFields(props: SubjectFieldsProps) {
  const { fid, subject, sans } = props;
  return (
    <>
      <fieldset className="fieldset">
        <legend>Subject</legend>
        {NAME_FIELDS.map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={fid(`dn-${f.key}`)}>{f.label}</label>
            <input
              id={fid(`dn-${f.key}`)}
              value={subject[f.key] ?? ''}
              maxLength={f.key === 'C' ? 2 : 64}
              autoComplete="off"
              onChange={(e) => props.onSubject({ ...subject, [f.key]: e.currentTarget.value })}
            />
          </div>
        ))}
      </fieldset>

      <fieldset className="fieldset">
        <legend>Subject alternative names</legend>
        <p className="hint">{props.sanHint}</p>
        {SAN_FIELDS.map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={fid(`san-${f.key}`)}>{f.label}</label>
            <textarea
              id={fid(`san-${f.key}`)}
              rows={2}
              value={sans[f.key]}
              placeholder={f.placeholder}
              spellCheck={false}
              onChange={(e) => props.onSans({ ...sans, [f.key]: e.currentTarget.value })}
            />
          </div>
        ))}
      </fieldset>
    </>
  );
}
