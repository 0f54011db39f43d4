// The page that creates a root or intermediate certificate authority.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { CaKeyTemplate, DistinguishedName, NameConstraints, NameSubtrees } from '../../engine';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { pkiOpNames } from '../../state/slices/pki-slice';
import { CA_KEY_CHOICES, NAME_FIELDS, VALIDITY, cleanName, lines } from './labels';
import { href, type Navigate } from '../../routes/routes';
import { useNow, usePkiData } from './use-pki-data';

const CA_NAME_FIELDS = NAME_FIELDS.filter((f) => f.key === 'CN' || f.key === 'O' || f.key === 'OU' || f.key === 'C');
type SubtreeKind = 'dns' | 'ip' | 'email' | 'uri';
const SUBTREE_KINDS: ReadonlyArray<{ key: SubtreeKind; label: string; example: string }> = [
  { key: 'dns', label: 'DNS names', example: 'example.com' },
  { key: 'ip', label: 'IP ranges', example: '10.0.0.0/8' },
  { key: 'email', label: 'E-mail domains or addresses', example: 'example.com' },
  { key: 'uri', label: 'URI hosts', example: '.example.com' },
];
type SubtreeText = Record<SubtreeKind, string>;
const EMPTY_SUBTREES: SubtreeText = { dns: '', ip: '', email: '', uri: '' };

function subtrees(t: SubtreeText): NameSubtrees | undefined {
  const out: NameSubtrees = {};
  for (const k of SUBTREE_KINDS) {
    const l = lines(t[k.key]);
    if (l.length) out[k.key] = l;
  }
  return Object.keys(out).length ? out : undefined;
}

/** E1: create a root or an intermediate CA, with defaults and explanations. */
export function CreateCaPage(props: { navigate: Navigate }) {
  usePkiData();
  const cas = useAppStore((s) => s.pki.cas);
  const createCa = useAppStore((s) => s.pki.createCa);
  const clearOp = useAppStore((s) => s.pki.clearOp);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.createCa]);
  const [kind, setKind] = useState<'root' | 'intermediate'>('root');
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const [subject, setSubject] = useState<DistinguishedName>({});
  const [keyTemplate, setKeyTemplate] = useState<CaKeyTemplate>('ECDSA-P-256');
  const [exportable, setExportable] = useState(false);
  const [validity, setValidity] = useState(String(VALIDITY['root-ca'].default));
  const [pathLen, setPathLen] = useState('1');
  const [permitted, setPermitted] = useState<SubtreeText>(EMPTY_SUBTREES);
  const [excluded, setExcluded] = useState<SubtreeText>(EMPTY_SUBTREES);
  const [crlDays, setCrlDays] = useState('7');
  const [crlUrl, setCrlUrl] = useState('');
  const [caIssuersUrl, setCaIssuersUrl] = useState('');
  const id = useId();
  const fid = (s: string) => `${id}-${s}`;

  useEffect(() => () => clearOp(pkiOpNames.createCa), [clearOp]);

  const now = useNow();
  const parents = cas.filter((c) => c.pathLen !== 0 && Date.parse(c.notAfter) > now);
  const effectiveParent = parentId || parents[0]?.id || '';
  const busy = op?.status === 'busy';

  function chooseKind(k: 'root' | 'intermediate') {
    setKind(k);
    setValidity(String(VALIDITY[k === 'root' ? 'root-ca' : 'sub-ca'].default));
    setPathLen(k === 'root' ? '1' : '0');
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const nc: NameConstraints = {};
    const p = subtrees(permitted);
    const x = subtrees(excluded);
    if (p) nc.permitted = p;
    if (x) nc.excluded = x;
    const r = await createCa({
      name,
      subject: cleanName(subject),
      keyTemplate,
      exportableKey: exportable,
      validityDays: Number(validity),
      ...(pathLen.trim() !== '' ? { pathLen: Number(pathLen) } : {}),
      crlValidityDays: Number(crlDays),
      ...(crlUrl.trim() ? { crlUrl: crlUrl.trim() } : {}),
      ...(caIssuersUrl.trim() ? { caIssuersUrl: caIssuersUrl.trim() } : {}),
      ...(kind === 'intermediate' ? { parentId: effectiveParent, ...(p || x ? { nameConstraints: nc } : {}) } : {}),
    });
    if (r.ok) props.navigate(href({ name: 'cas' }));
  }

  const subtreeFields = (which: 'permitted' | 'excluded', value: SubtreeText, set: (v: SubtreeText) => void) =>
    SUBTREE_KINDS.map((k) => (
      <div className="field" key={`${which}-${k.key}`}>
        <label htmlFor={fid(`${which}-${k.key}`)}>
          {which === 'permitted' ? 'Permitted' : 'Excluded'} {k.label}
        </label>
        <textarea
          id={fid(`${which}-${k.key}`)}
          rows={2}
          value={value[k.key]}
          placeholder={k.example}
          onChange={(e) => set({ ...value, [k.key]: e.currentTarget.value })}
        />
      </div>
    ));

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'cas' })}>Certificate authorities</a> › New CA
      </p>
      <PageTitle documentTitle="Create a CA">Create a certificate authority</PageTitle>
      <p className="lead">
        A CA is a key pair in the vault plus a certificate that says the key may sign other certificates. Clavis also publishes the
        CA’s first (empty) certificate revocation list straight away.
      </p>
      <form className="form" onSubmit={onSubmit} aria-busy={busy}>
        <fieldset className="fieldset">
          <legend>Kind of CA</legend>
          <div className="field field-check">
            <input id={fid('root')} type="radio" name={fid('kind')} checked={kind === 'root'} onChange={() => chooseKind('root')} />
            <label htmlFor={fid('root')}>Root CA</label>
            <p className="hint">Self-signed. Clients trust it directly; keep it for signing intermediates.</p>
          </div>
          <div className="field field-check">
            <input
              id={fid('intermediate')}
              type="radio"
              name={fid('kind')}
              checked={kind === 'intermediate'}
              disabled={parents.length === 0}
              onChange={() => chooseKind('intermediate')}
            />
            <label htmlFor={fid('intermediate')}>Intermediate CA</label>
            <p className="hint">
              {parents.length === 0 ? 'Create a root first: an intermediate needs a parent CA.' : 'Signed by a parent CA; issues the certificates servers and people use.'}
            </p>
          </div>
        </fieldset>

        <div className="field">
          <label htmlFor={fid('name')}>
            Name <span className="required">(required)</span>
          </label>
          <input id={fid('name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} autoComplete="off" />
          <p className="hint">How Clavis lists this CA and its vault key. Not part of the certificate.</p>
        </div>

        {kind === 'intermediate' ? (
          <div className="field">
            <label htmlFor={fid('parent')}>Parent CA</label>
            <select id={fid('parent')} value={effectiveParent} onChange={(e) => setParentId(e.currentTarget.value)}>
              {parents.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.subject})
                </option>
              ))}
            </select>
            <p className="hint">CAs with path length 0 or past their end date cannot sign another CA and are not listed.</p>
          </div>
        ) : null}

        <fieldset className="fieldset">
          <legend>Subject</legend>
          <p className="hint">The name written into the certificate. The common name is required; the others are optional.</p>
          {CA_NAME_FIELDS.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={fid(`dn-${f.key}`)}>{f.label}</label>
              <input
                id={fid(`dn-${f.key}`)}
                value={subject[f.key] ?? ''}
                required={f.key === 'CN'}
                maxLength={f.key === 'C' ? 2 : 64}
                autoComplete="off"
                onChange={(e) => setSubject({ ...subject, [f.key]: e.currentTarget.value })}
              />
              {f.hint ? <p className="hint">{f.hint}</p> : null}
            </div>
          ))}
        </fieldset>

        <div className="field">
          <label htmlFor={fid('key')}>CA key</label>
          <select id={fid('key')} value={keyTemplate} onChange={(e) => setKeyTemplate(e.currentTarget.value as CaKeyTemplate)}>
            {CA_KEY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>

        <div className="field field-check">
          <input id={fid('exportable')} type="checkbox" checked={exportable} onChange={(e) => setExportable(e.currentTarget.checked)} aria-describedby={fid('exportable-help')} />
          <label htmlFor={fid('exportable')}>Exportable CA key</label>
          <p id={fid('exportable-help')} className="hint">
            Off (recommended): the CA’s private key can sign here but can never be read or copied, not even by Clavis, so the CA
            cannot leave this browser, and an encrypted vault backup cannot hold it: if this browser’s data is lost, the CA is lost
            and can never sign or publish a CRL again. On: the key goes into encrypted backups (Backup), so the CA can be restored,
            and can be exported as passphrase-encrypted PKCS #8 from its page under Keys, so the CA can later move to a server CA
            (HashiCorp Vault, step-ca). Warning: anyone using this browser profile, or any script running in this site, could then
            take a copy of the CA’s private key and issue certificates in its name.
          </p>
        </div>

        <div className="field">
          <label htmlFor={fid('validity')}>Validity (days)</label>
          <input id={fid('validity')} type="number" min={1} max={VALIDITY['root-ca'].max} value={validity} onChange={(e) => setValidity(e.currentTarget.value)} />
          <p className="hint">
            {kind === 'root' ? 'Roots usually last 10 years (3650 days).' : 'Intermediates usually last 5 years (1825 days); never longer than the parent.'}
          </p>
        </div>

        <div className="field">
          <label htmlFor={fid('pathlen')}>Path length</label>
          <input id={fid('pathlen')} type="number" min={0} max={10} value={pathLen} onChange={(e) => setPathLen(e.currentTarget.value)} />
          <p className="hint">How many CAs may sit below this one. 0: it issues only end-entity certificates. Empty: unlimited.</p>
        </div>

        {kind === 'intermediate' ? (
          <details className="panel">
            <summary>Name constraints (optional)</summary>
            <p className="hint">
              Limit the names this CA may certify, one per line. A certificate under it whose names fall outside the permitted
              ranges, or inside an excluded one, fails verification. DNS names cover their subdomains.
            </p>
            {subtreeFields('permitted', permitted, setPermitted)}
            {subtreeFields('excluded', excluded, setExcluded)}
          </details>
        ) : null}

        <details className="panel">
          <summary>Revocation and publication (optional)</summary>
          <div className="field">
            <label htmlFor={fid('crldays')}>CRL validity (days)</label>
            <input id={fid('crldays')} type="number" min={1} max={10} value={crlDays} onChange={(e) => setCrlDays(e.currentTarget.value)} />
            <p className="hint">Days between a CRL’s thisUpdate and nextUpdate (at most 10).</p>
          </div>
          <div className="field">
            <label htmlFor={fid('crlurl')}>CRL URL</label>
            <input id={fid('crlurl')} type="url" value={crlUrl} onChange={(e) => setCrlUrl(e.currentTarget.value)} placeholder="http://crl.example.com/ca.crl" />
            <p className="hint">Written into certificates this CA issues, so verifiers know where to fetch its CRL.</p>
          </div>
          <div className="field">
            <label htmlFor={fid('aia')}>CA issuers URL</label>
            <input id={fid('aia')} type="url" value={caIssuersUrl} onChange={(e) => setCaIssuersUrl(e.currentTarget.value)} />
          </div>
        </details>

        <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The CA was not created" />
        <StatusMessage>{busy ? 'Creating the CA… RSA keys take a few seconds.' : ''}</StatusMessage>
        <p className="actions">
          <button type="submit" className="button button-primary" disabled={busy || (kind === 'intermediate' && !effectiveParent)}>
            {busy ? 'Creating…' : kind === 'root' ? 'Create root CA' : 'Create intermediate CA'}
          </button>
          <a className="button" href={href({ name: 'cas' })}>
            Cancel
          </a>
        </p>
      </form>
    </>
  );
}
