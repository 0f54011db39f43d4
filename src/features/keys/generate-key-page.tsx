// The page that generates a key from a named template.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { TemplateName } from '../../engine';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore, useOp } from '../../state/engine-provider';
import { opNames } from '../../state/slices/keys-slice';
import { href, type Navigate } from '../../routes/routes';
import { TemplateSelect } from './template-select';

const DEFAULT_TEMPLATE: TemplateName = 'AES-GCM-256';

/** Epoch ms of a datetime-local value read as UTC (the field says so), or undefined. */
function utcInputToMs(value: string): number | undefined {
  if (!value) return undefined;
  const t = Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(t) ? undefined : t;
}

/** A1: generate a key from a named template, then open its page. */
export function GenerateKeyPage(props: { navigate: Navigate }) {
  const templates = useAppStore((s) => s.keys.templates);
  const templatesStatus = useAppStore((s) => s.keys.templatesStatus);
  const generateKey = useAppStore((s) => s.keys.generateKey);
  const clearOp = useAppStore((s) => s.keys.clearOp);
  const lockState = useAppStore((s) => s.lock.status?.state);
  const op = useOp(opNames.generate);
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [template, setTemplate] = useState<TemplateName | ''>(DEFAULT_TEMPLATE);
  const [exportable, setExportable] = useState(false);
  const [activation, setActivation] = useState('');
  const ids = { name: useId(), owner: useId(), exportable: useId(), exportableHelp: useId(), lockHelp: useId(), activation: useId(), activationHelp: useId() };

  // An error from an earlier visit is not this form's error.
  useEffect(() => () => clearOp(opNames.generate), [clearOp]);

  const chosen = templates.find((t) => t.name === template);
  const alwaysExtractable = chosen?.extractableReason !== undefined;
  const busy = op?.status === 'busy';

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy || !template) return;
    const activateAt = utcInputToMs(activation);
    const r = await generateKey({ template, name, owner, exportable: alwaysExtractable || exportable, ...(activateAt !== undefined ? { activateAt } : {}) });
    if (r.ok) props.navigate(href({ name: 'key', id: r.value.id }));
  }

  return (
    <>
      <PageTitle documentTitle="Generate a key">Generate a key</PageTitle>
      <p className="lead">
        Keys are made by your browser’s WebCrypto from a named template and kept in this browser’s IndexedDB. By default the secret
        or private part can be used but never read, not even by Clavis.
      </p>
      <form className="form" onSubmit={onSubmit} aria-busy={busy}>
        <div className="field">
          <label htmlFor={ids.name}>
            Name <span className="required">(required)</span>
          </label>
          <input id={ids.name} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={ids.owner}>Owner</label>
          <input id={ids.owner} value={owner} onChange={(e) => setOwner(e.currentTarget.value)} maxLength={200} autoComplete="off" />
        </div>
        <TemplateSelect templates={templates} value={template} onChange={setTemplate} loading={templatesStatus !== 'ready'} disabled={busy} />
        <div className="field field-check">
          <input
            id={ids.exportable}
            type="checkbox"
            checked={alwaysExtractable || exportable}
            disabled={alwaysExtractable || busy}
            onChange={(e) => setExportable(e.currentTarget.checked)}
            aria-describedby={`${ids.exportableHelp} ${ids.lockHelp}`}
          />
          <label htmlFor={ids.exportable}>Exportable</label>
          <p id={ids.exportableHelp} className="hint">
            {alwaysExtractable
              ? `Always on for this template: ${chosen?.extractableReason ?? ''}`
              : 'Leave this off unless you must back the key up or move it to another system. An exportable key can be downloaded (as JWK, raw bytes or passphrase-encrypted PKCS #8), so anyone using this browser profile could take a copy. A non-extractable key can only be used here.'}
          </p>
          <p id={ids.lockHelp} className="hint">
            The <a href={href({ name: 'lock-settings' })}>vault lock</a> protects exportable keys only: while it is on, their material is kept sealed under the vault passphrase.
            Non-extractable keys are unaffected by the lock and work while the vault is locked.
            {lockState === 'locked' ? ' The vault is locked now: unlock it to create an exportable key.' : lockState === 'unlocked' ? ' The lock is on: an exportable key made now is sealed.' : ''}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.activation}>Activation date (UTC, optional)</label>
          <input
            id={ids.activation}
            type="datetime-local"
            value={activation}
            onChange={(e) => setActivation(e.currentTarget.value)}
            disabled={busy}
            aria-describedby={ids.activationHelp}
          />
          <p id={ids.activationHelp} className="hint">
            Leave empty to activate the key at once. A later date creates it in pre-activation: it cannot be used until that date is
            reached or you activate it. Its cryptoperiod (protect-stop and process-stop dates) counts from activation.
          </p>
        </div>
        <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The key was not generated" />
        <StatusMessage>{busy ? `Generating… ${chosen?.slow ? 'Large RSA keys take a few seconds.' : ''}` : ''}</StatusMessage>
        <p className="actions">
          <button type="submit" className="button button-primary" disabled={busy || !template}>
            {busy ? 'Generating…' : 'Generate key'}
          </button>
          <a className="button" href={href({ name: 'keys' })}>
            Cancel
          </a>
        </p>
      </form>
    </>
  );
}
