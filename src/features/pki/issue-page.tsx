// The page that issues a certificate from a profile and a key.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { CsrInfo, DistinguishedName, KeyInfo, LeafProfile, SubjectAltNames } from '../../engine';
import { SUBJECT_ALT_NAME_OID } from '../../engine';
import { FileDrop } from '../../components/ui/file-drop';
import { formatUtc } from '../../components/ui/format';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { readableMessage } from '../../components/ui/readable';
import { certificateSans } from '../../engine/pki/extensions';
import { toErrorInfo } from '../../engine/errors';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { pkiOpNames } from '../../state/slices/pki-slice';
import type { ErrorInfo } from '../../state/types';
import { NAME_FIELDS, PROFILE_CHOICES, VALIDITY, cleanName } from './labels';
import { EMPTY_SANS, SAN_FIELDS, SubjectFields, sansOf, type SanText } from './subject-fields';
import { IssuingCaField, NoIssuer, pickIssuer } from './issuing-ca';
import { href, type Navigate } from '../../routes/routes';
import { useNow, usePkiData } from './use-pki-data';

const DAY = 86_400_000;
/** Largest CSR file read: PEM of the engine's 64 KiB DER cap (MAX_CSR_DER_BYTES), with room for explanatory text. */
const MAX_CSR_FILE_BYTES = 128 * 1024;

/** What each profile puts in keyUsage/extendedKeyUsage, for the preview. */
const PROFILE_USAGE: Record<LeafProfile, string> = {
  'tls-server': 'digitalSignature (and keyEncipherment for RSA); TLS server authentication',
  'tls-client': 'digitalSignature; TLS client authentication',
  'code-signing': 'digitalSignature; code signing',
  email: 'digitalSignature (and keyEncipherment for RSA); e-mail protection',
};

function certifiable(k: KeyInfo): boolean {
  return k.kind === 'key-pair' && k.state === 'active' && k.owner !== 'certificate authority' && /^(ECDSA|RSA)/.test(k.template);
}

function keyTypeText(t: CsrInfo['keyType']): string {
  return t.kind === 'ec' ? `ECDSA ${t.curve}` : t.kind === 'rsa' ? `RSA ${t.bits} bits${t.pss ? ' (PSS)' : ''}` : t.name;
}

const SAN_LABEL: Record<keyof SubjectAltNames, string> = { dns: 'DNS name', ip: 'IP address', email: 'E-mail address', uri: 'URI' };

/**
 * The subjectAltNames as the certificate will carry them, from the engine function that
 * issuance uses (a TLS server's common name is added when it is a host name), or why
 * issuance would refuse them.
 */
function previewSansText(profile: LeafProfile, cn: string | undefined, sans: SubjectAltNames): string {
  let out: ReturnType<typeof certificateSans>;
  try {
    out = certificateSans(profile, cn, sans);
  } catch (e) {
    return `Not valid: ${readableMessage(toErrorInfo(e).message)}`;
  }
  const from = out.fromCommonName;
  const list = SAN_FIELDS.flatMap((f) =>
    out.sans[f.key].map((v) => `${SAN_LABEL[f.key]}: ${v}${from && from.kind === f.key && from.value === v ? ' (added from the common name: a TLS server’s common name must also be a SAN)' : ''}`),
  );
  if (profile === 'tls-server' && out.sans.dns.length + out.sans.ip.length === 0) {
    return `${list.length ? `${list.join(', ')}. ` : 'None. '}A TLS server certificate needs a DNS name or IP address: Clavis will refuse to issue it.`;
  }
  return list.length ? list.join(', ') : 'none';
}

/** E2/E3: issue a leaf for a vault key or from a CSR, with a preview before signing. */
export function IssuePage(props: { navigate: Navigate }) {
  usePkiData();
  const cas = useAppStore((s) => s.pki.cas);
  const keyIds = useAppStore((s) => s.keys.ids);
  const keysById = useAppStore((s) => s.keys.byId);
  const issueCertificate = useAppStore((s) => s.pki.issueCertificate);
  const issueFromCsr = useAppStore((s) => s.pki.issueFromCsr);
  const inspectCsr = useAppStore((s) => s.pki.inspectCsr);
  const clearOp = useAppStore((s) => s.pki.clearOp);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.issue]);
  const id = useId();
  const fid = (s: string) => `${id}-${s}`;

  const [caId, setCaId] = useState('');
  const [profile, setProfile] = useState<LeafProfile>('tls-server');
  const [source, setSource] = useState<'vault' | 'csr'>('vault');
  const [keyId, setKeyId] = useState('');
  const [csrText, setCsrText] = useState('');
  /** A DER request read from a dropped file (bytes; a PEM file is shown as text instead). */
  const [csrFile, setCsrFile] = useState<{ name: string; der: Uint8Array } | null>(null);
  /** Only the latest read may fill the form (a paste's blur and a click can overlap). */
  const reads = useRef(0);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const [csr, setCsr] = useState<CsrInfo | null>(null);
  const [csrError, setCsrError] = useState<ErrorInfo | null>(null);
  const [subject, setSubject] = useState<DistinguishedName>({});
  const [sans, setSans] = useState<SanText>(EMPTY_SANS);
  const [validity, setValidity] = useState(String(VALIDITY['tls-server'].default));

  useEffect(() => () => clearOp(pkiOpNames.issue), [clearOp]);

  const now = useNow();
  const { issuers, ca } = pickIssuer(cas, caId, now);
  const keys = useMemo(() => keyIds.map((k) => keysById[k]).filter((k): k is KeyInfo => !!k && certifiable(k)), [keyIds, keysById]);
  const key = keys.find((k) => k.id === keyId) ?? keys[0];
  const busy = op?.status === 'busy';
  const chosenProfile = PROFILE_CHOICES.find((p) => p.value === profile)!;

  function chooseProfile(p: LeafProfile) {
    setProfile(p);
    setValidity(String(VALIDITY[p].default));
  }

  async function readCsr(input: string | Uint8Array, file?: string) {
    const read = ++reads.current;
    if (typeof input === 'string') {
      setCsrText(input);
      setCsrFile(null);
    } else {
      setCsrText('');
      setCsrFile({ name: file ?? 'the file', der: input });
    }
    setCsr(null);
    setCsrError(null);
    if (typeof input === 'string' ? !input.trim() : input.length === 0) return;
    const r = await inspectCsr(input);
    if (!mounted.current || read !== reads.current) return;
    if (!r.ok) {
      setCsrError(r.error);
      return;
    }
    setCsr(r.value);
    // Fill the form from the request; the issuer may still change anything before signing.
    const dn: DistinguishedName = {};
    for (const e of r.value.subjectEntries) if (NAME_FIELDS.some((f) => f.key === e.type)) dn[e.type as keyof DistinguishedName] = e.value;
    setSubject(dn);
    setSans({ dns: r.value.sans.dns.join('\n'), ip: r.value.sans.ip.join('\n'), email: r.value.sans.email.join('\n'), uri: r.value.sans.uri.join('\n') });
  }

  async function onFile(file: File) {
    // Checked before the file is read: a dropped file is never read whole when it cannot be a CSR (issue 14 #9).
    if (file.size > MAX_CSR_FILE_BYTES) {
      setCsr(null);
      setCsrText('');
      setCsrError({ code: 'INVALID_ARGUMENT', message: `That file is ${Math.ceil(file.size / 1024)} KiB; a certificate request is far smaller (limit ${MAX_CSR_FILE_BYTES / 1024} KiB).` });
      return;
    }
    // Bytes, not text: a DER request read as text would be garbled. The engine takes PEM or DER.
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (!mounted.current) return;
    if (bytes[0] === 0x2d) await readCsr(new TextDecoder().decode(bytes));
    else await readCsr(bytes, file.name);
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    // A vault issuance needs a chosen key (the form offers only vault keys).
    if (busy || !ca || (source === 'vault' && !key)) return;
    const common = { caId: ca.id, profile, subject: cleanName(subject), sans: sansOf(sans), validityDays: Number(validity) };
    const r =
      source === 'vault'
        ? await issueCertificate({ ...common, keyId: key!.id })
        : await issueFromCsr({ ...common, csr: csrFile ? csrFile.der : csrText });
    if (r.ok) props.navigate(href({ name: 'cert', id: r.value.cert.id }));
  }

  const sanPreview = previewSansText(profile, cleanName(subject).CN, sansOf(sans));
  const days = Number(validity);
  const notAfter = Number.isFinite(days) && days > 0 ? new Date(now + days * DAY).toISOString() : '';
  const truncated = ca && notAfter && Date.parse(ca.notAfter) < Date.parse(notAfter);
  const ignored = csr ? csr.requestedExtensions.filter((o) => o !== SUBJECT_ALT_NAME_OID) : [];
  const ready = ca && (source === 'vault' ? !!key : !!csr);

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'certs' })}>Certificates</a> › Issue
      </p>
      <PageTitle documentTitle="Issue a certificate">Issue a certificate</PageTitle>
      <p className="lead">
        Pick the CA that signs, what the certificate is for, and whose key it certifies: a key pair in the vault, or a certificate
        signing request (CSR) from another tool such as <code>openssl req -new</code>.
      </p>
      <NoIssuer issuers={issuers} />
      <form className="form" onSubmit={onSubmit} aria-busy={busy}>
        <IssuingCaField issuers={issuers} ca={ca} onChange={setCaId} hint="Prefer an intermediate: a root’s key should sign only CAs." />
        <div className="field">
          <label htmlFor={fid('profile')}>Profile</label>
          <select id={fid('profile')} value={profile} onChange={(e) => chooseProfile(e.currentTarget.value as LeafProfile)} aria-describedby={fid('profile-help')}>
            {PROFILE_CHOICES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
          <p className="hint" id={fid('profile-help')}>
            {chosenProfile.what}
          </p>
        </div>

        <fieldset className="fieldset">
          <legend>Key to certify</legend>
          <div className="field field-check">
            <input id={fid('src-vault')} type="radio" name={fid('src')} checked={source === 'vault'} onChange={() => setSource('vault')} />
            <label htmlFor={fid('src-vault')}>A key pair in the vault</label>
          </div>
          <div className="field field-check">
            <input id={fid('src-csr')} type="radio" name={fid('src')} checked={source === 'csr'} onChange={() => setSource('csr')} />
            <label htmlFor={fid('src-csr')}>A certificate signing request (CSR)</label>
          </div>
          {source === 'vault' ? (
            <div className="field">
              <label htmlFor={fid('key')}>Vault key</label>
              <select id={fid('key')} value={key?.id ?? ''} onChange={(e) => setKeyId(e.currentTarget.value)}>
                {keys.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name} ({k.template})
                  </option>
                ))}
              </select>
              <p className="hint">
                {keys.length === 0 ? (
                  <>
                    No ECDSA or RSA key pair in the vault. <a href={href({ name: 'key-new' })}>Generate one</a> first.
                  </>
                ) : (
                  'ECDSA and RSA key pairs can be certified; the private key never leaves the vault.'
                )}
              </p>
            </div>
          ) : (
            <>
              <FileDrop label="CSR file" accept=".csr,.pem,.req,.der" hint="PEM or DER, e.g. from openssl req -new" onFile={(f) => void onFile(f)} />
              {csrFile ? (
                <p className="hint">
                  Read from {csrFile.name} (DER, {csrFile.der.length} bytes).
                </p>
              ) : null}
              <div className="field">
                <label htmlFor={fid('csr')}>Or paste the CSR (PEM)</label>
                <textarea
                  id={fid('csr')}
                  rows={6}
                  className="mono"
                  value={csrText}
                  spellCheck={false}
                  onChange={(e) => {
                    setCsrText(e.currentTarget.value);
                    setCsrFile(null);
                  }}
                  onBlur={(e) => {
                    if (!csrFile || e.currentTarget.value) void readCsr(e.currentTarget.value);
                  }}
                  placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                />
                <p className="actions">
                  <button type="button" className="button" onClick={() => void readCsr(csrFile ? csrFile.der : csrText, csrFile?.name)}>
                    Read CSR
                  </button>
                </p>
              </div>
              <ErrorAlert error={csrError} title="The CSR cannot be used" />
              {csr ? (
                <section className="panel" aria-labelledby={fid('csr-title')}>
                  <h2 id={fid('csr-title')}>What the request asks for</h2>
                  <dl className="details">
                    <dt>Subject</dt>
                    <dd>
                      <code>{csr.subject || '(empty)'}</code>
                    </dd>
                    <dt>Key</dt>
                    <dd>{keyTypeText(csr.keyType)}</dd>
                    <dt>Signature</dt>
                    <dd>Verified: the requester holds the private key.</dd>
                    <dt>Requested SANs</dt>
                    <dd>
                      {[...csr.sans.dns.map((v) => `DNS: ${v}`), ...csr.sans.ip.map((v) => `IP: ${v}`), ...csr.sans.email.map((v) => `E-mail: ${v}`), ...csr.sans.uri.map((v) => `URI: ${v}`)].join(', ') ||
                        'none'}
                    </dd>
                    <dt>Ignored extensions</dt>
                    <dd>
                      {ignored.length
                        ? `${ignored.join(', ')}: only the subject, the key and the SANs come from a request; the profile decides everything else.`
                        : 'none'}
                    </dd>
                  </dl>
                </section>
              ) : null}
            </>
          )}
        </fieldset>

        <SubjectFields fid={fid} subject={subject} onSubject={setSubject} sans={sans} onSans={setSans} sanHint="One per line. Clients check these, not the common name: a TLS server needs its DNS names or IP addresses here." />

        <div className="field">
          <label htmlFor={fid('validity')}>Validity (days)</label>
          <input id={fid('validity')} type="number" min={1} max={VALIDITY[profile].max} value={validity} onChange={(e) => setValidity(e.currentTarget.value)} />
          <p className="hint">
            Default {VALIDITY[profile].default}, at most {VALIDITY[profile].max} days for this profile.
          </p>
        </div>

        <section className="panel preview" aria-labelledby={fid('preview')}>
          <h2 id={fid('preview')}>Preview</h2>
          <p className="hint">What will be signed when you press “Issue certificate”.</p>
          <dl className="details">
            <dt>Issuer</dt>
            <dd>{ca ? <code>{ca.subject}</code> : 'no CA'}</dd>
            <dt>Subject</dt>
            <dd>
              <code>
                {Object.entries(cleanName(subject))
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ') || '(empty)'}
              </code>
            </dd>
            <dt>Subject alternative names</dt>
            <dd>{sanPreview}</dd>
            <dt>Key</dt>
            <dd>{source === 'vault' ? (key ? `${key.name} (${key.template})` : 'none') : csr ? `${keyTypeText(csr.keyType)} from the CSR` : 'read a CSR first'}</dd>
            <dt>Profile</dt>
            <dd>
              {chosenProfile.label}: {PROFILE_USAGE[profile]}
            </dd>
            <dt>Validity</dt>
            <dd>
              {notAfter ? (
                <>
                  {validity} days, until about {formatUtc(notAfter)}
                  {truncated ? ` (cut to the CA’s end, ${formatUtc(ca.notAfter)})` : ''}
                </>
              ) : (
                'invalid'
              )}
            </dd>
          </dl>
        </section>

        <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The certificate was not issued" />
        <StatusMessage>{busy ? 'Issuing…' : ''}</StatusMessage>
        <p className="actions">
          <button type="submit" className="button button-primary" disabled={busy || !ready}>
            {busy ? 'Issuing…' : 'Issue certificate'}
          </button>
          <a className="button" href={href({ name: 'certs' })}>
            Cancel
          </a>
        </p>
      </form>
    </>
  );
}
