// A key's page: what it is, its fingerprint, its lifecycle and how to use it.
import { useEffect, useState, type ReactNode } from 'react';
import { asKeyId, type KeyId, type KeyInfo } from '../../engine';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { formatUtc } from '../../components/ui/format';
import { ErrorAlert, type UiError } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore, useOp } from '../../state/engine-provider';
import { opNames } from '../../state/slices/keys-slice';
import { ExtractabilityBadge, extractabilityExplanation } from './extractability';
import { PublicKeySection, SecretExportSection } from './key-export';
import { VaultLockedNotice } from './locked-notice';
import { DeriveSection, KemSection, WrapSection } from './key-agreement';
import { FileCryptSection, SignVerifySection, TextCryptSection } from './key-playground';
import { fingerprintKindLabel, fullFingerprint, kindLabel, operationsLabel } from './labels';
import { href, type Navigate } from '../../routes/routes';
import { KeyStateBadge } from './state-badge';

/**
 * One key: metadata, fingerprint, extractability, what it can do, export, delete.
 * `lifecycle` renders the key's lifecycle sections (the app passes the lifecycle feature's panel);
 * `certificates` renders, for a key with a public key, what the CA can do with its
 * certificates (the app passes the CA feature's "revoke all certificates of this key").
 */
type KeyPageProps = { id: string; navigate: Navigate; lifecycle?: (info: KeyInfo) => ReactNode; certificates?: (info: KeyInfo) => ReactNode };

export function KeyPage(props: KeyPageProps) {
  // The id comes from the route: branded through asKeyId; one not shaped as a key id names no key.
  let id: KeyId;
  try {
    id = asKeyId(props.id);
  } catch {
    return <KeyUnavailable notFound />;
  }
  return <KeyView {...props} id={id} />;
}

/** The page while its key is loading, after it failed to load, or when there is no such key. */
function KeyUnavailable({ notFound, error }: { notFound: boolean; error?: UiError | undefined }) {
  return (
    <>
      <Breadcrumb />
      <PageTitle documentTitle={notFound ? 'Key not found' : 'Key'}>{notFound ? 'Key not found' : error ? 'Key could not be loaded' : 'Loading key…'}</PageTitle>
      {notFound ? <p>There is no key with this id in this browser’s vault. It may have been deleted, or created in another browser.</p> : null}
      {error ? <ErrorAlert error={error} /> : null}
      <p>
        <a href={href({ name: 'keys' })}>Back to all keys</a>
      </p>
    </>
  );
}

function KeyView(props: Omit<KeyPageProps, 'id'> & { id: KeyId }) {
  const { id } = props;
  const key = useAppStore((s) => s.keys.byId[id]);
  const loadOp = useOp(opNames.load(id));
  const loadKey = useAppStore((s) => s.keys.loadKey);

  useEffect(() => {
    void loadKey(id);
  }, [id, loadKey]);

  if (!key) {
    const notFound = loadOp?.status === 'error' && loadOp.error?.code === 'KEY_NOT_FOUND';
    const failed = loadOp?.status === 'error' && !notFound;
    return <KeyUnavailable notFound={notFound} error={failed ? loadOp.error : undefined} />;
  }

  const ops = key.operations;
  const canPlayText = ops.includes('encrypt') || ops.includes('decrypt');
  const canSign = ops.includes('sign') || ops.includes('verify');
  const canDerive = ops.includes('derive');
  const canWrap = ops.includes('wrap') || ops.includes('unwrap');
  const canKem = ops.includes('encapsulate') || ops.includes('decapsulate');
  return (
    <>
      <Breadcrumb />
      <PageTitle documentTitle={key.name}>{key.name}</PageTitle>
      <p className="key-summary">
        <KeyStateBadge state={key.state} /> <ExtractabilityBadge info={key} /> <span>{kindLabel(key.kind)}</span> · <span>{key.template}</span>
      </p>

      <section aria-labelledby="key-details" className="panel">
        <h2 id="key-details">Details</h2>
        <dl className="details">
          <dt>Name</dt>
          <dd>{key.name}</dd>
          <dt>Owner</dt>
          <dd>{key.owner || <span className="muted">none</span>}</dd>
          <dt>Template</dt>
          <dd>{key.template}</dd>
          <dt>Kind</dt>
          <dd>{kindLabel(key.kind)}</dd>
          <dt>State</dt>
          <dd>
            <KeyStateBadge state={key.state} />
          </dd>
          <dt>Operations</dt>
          <dd>{operationsLabel(ops)}</dd>
          <dt>Origin</dt>
          <dd>{key.origin}</dd>
          <dt>Version</dt>
          <dd>{key.version}</dd>
          <dt>Created</dt>
          <dd>
            <time dateTime={key.createdAt}>{formatUtc(key.createdAt)}</time>
          </dd>
          <dt>Id</dt>
          <dd>
            <code>{key.id}</code>
          </dd>
        </dl>
      </section>

      {props.lifecycle?.(key)}

      <section aria-labelledby="key-fingerprint" className="panel">
        <h2 id="key-fingerprint">{key.fingerprint.kind === 'kcv' ? 'Key check value' : 'Fingerprint'}</h2>
        <p className="hint">{fingerprintKindLabel(key.fingerprint)}</p>
        <p className="fingerprint">
          <code>{fullFingerprint(key.fingerprint)}</code>
        </p>
        <p className="hint">
          {key.fingerprint.kind === 'kcv'
            ? 'Three bytes computed with the key, never from its exported bytes: it identifies the key without revealing it.'
            : 'The same value as openssl pkey -pubin -outform DER | sha256sum. Compare it out loud with the other party before trusting a public key.'}
        </p>
      </section>

      <section aria-labelledby="key-extractability" className="panel">
        <h2 id="key-extractability">Extractability</h2>
        <p>
          <ExtractabilityBadge info={key} />
        </p>
        <p>{extractabilityExplanation(key)}</p>
      </section>

      {canPlayText || canSign || canDerive || canWrap || canKem ? (
        <section aria-labelledby="key-use" className="panel">
          <h2 id="key-use">Use this key</h2>
          <VaultLockedNotice info={key} />
          {canPlayText ? <TextCryptSection info={key} /> : null}
          {canPlayText && key.template !== 'FERNET' ? <FileCryptSection info={key} /> : null}
          {canSign ? <SignVerifySection info={key} /> : null}
          {canDerive ? <DeriveSection info={key} /> : null}
          {canWrap ? <WrapSection info={key} /> : null}
          {canKem ? <KemSection info={key} /> : null}
        </section>
      ) : null}

      {key.kind !== 'secret' ? <PublicKeySection info={key} /> : null}
      {key.kind === 'key-pair' && key.state === 'active' && key.operations.includes('sign') && /^(ECDSA|RSA)/.test(key.template) && key.owner !== 'certificate authority' ? (
        <p className="actions">
          {/* The certificate screens' CSR form (#/certs/csr/<id>), preset to this key. */}
          <a className="button" href={href({ name: 'cert-csr', keyId: key.id })}>
            Create a CSR for this key
          </a>
        </p>
      ) : null}
      {key.fingerprint.kind === 'spki-sha256' ? props.certificates?.(key) : null}
      {key.extractable && key.kind !== 'public' ? <SecretExportSection info={key} /> : null}

      <DeleteKeySection info={key} navigate={props.navigate} />
    </>
  );
}

/** Rendered in every state of the page so the h1 keeps its DOM node (and focus) when the key loads. */
function Breadcrumb() {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <a href={href({ name: 'keys' })}>Keys</a> <span aria-hidden="true">/</span>
    </nav>
  );
}

function DeleteKeySection(props: { info: KeyInfo; navigate: Navigate }) {
  const k = props.info;
  const deleteKey = useAppStore((s) => s.keys.deleteKey);
  const op = useOp(opNames.delete(k.id));
  const [open, setOpen] = useState(false);
  const busy = op?.status === 'busy';

  async function confirm() {
    const r = await deleteKey(k.id);
    if (r.ok) {
      setOpen(false);
      props.navigate(href({ name: 'keys' }));
    }
  }

  return (
    <section aria-labelledby="key-delete" className="panel panel-danger">
      <h2 id="key-delete">Delete</h2>
      <p>Deleting removes the key and its material from this browser. Anything encrypted under it can no longer be decrypted here.</p>
      <button type="button" className="button button-danger" onClick={() => setOpen(true)}>
        Delete key…
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete “${k.name}”?`}
        confirmLabel="Delete key"
        busy={busy}
        busyLabel="Deleting…"
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      >
        <p>
          This cannot be undone.{' '}
          {k.extractable || k.kind === 'public' ? 'Keep an exported copy if you may need it again.' : 'The key is non-extractable, so there is no other copy.'}
        </p>
        <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The key was not deleted" />
      </ConfirmDialog>
    </section>
  );
}
