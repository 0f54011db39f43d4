// The list of certificate authorities.
import { useMemo } from 'react';
import type { CaInfo } from '../../engine';
import { EmptyState } from '../../components/ui/empty-state';
import { formatUtc } from '../../components/ui/format';
import { Badge, ErrorAlert } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { EXPIRY_WARNING_DAYS, caTree, pkiOpNames, type CaTreeNode } from '../../state/slices/pki-slice';
import { href } from '../../routes/routes';
import { useNow, usePkiData } from './use-pki-data';

const DAY = 86_400_000;

function caWarning(ca: CaInfo, now: number): string | undefined {
  const left = Date.parse(ca.notAfter) - now;
  if (left <= 0) return 'Expired: it can no longer issue or publish CRLs';
  if (left <= EXPIRY_WARNING_DAYS * DAY) return `Expires in ${Math.ceil(left / DAY)} days`;
  return undefined;
}

function CaItem(props: { node: CaTreeNode; now: number }) {
  const { ca, children } = props.node;
  const warning = caWarning(ca, props.now);
  return (
    <li className="ca-tree-item">
      <div className="ca-tree-card">
        <p className="ca-tree-name">
          <a href={href({ name: 'cert', id: ca.certId })}>{ca.name}</a> <Badge tone="info">{ca.kind === 'root' ? 'Root CA' : 'Intermediate CA'}</Badge>{' '}
          {warning ? <Badge tone="warn">{warning}</Badge> : null}
        </p>
        <p className="ca-tree-subject">
          <span className="visually-hidden">Subject: </span>
          <code>{ca.subject}</code>
        </p>
        <p className="hint">
          Valid until <time dateTime={ca.notAfter}>{formatUtc(ca.notAfter)}</time> · path length {ca.pathLen ?? 'unlimited'} · CRL every{' '}
          {ca.crlValidityDays} days
        </p>
        <p className="ca-tree-links">
          <a href={href({ name: 'crl', caId: ca.id })}>CRL of {ca.name}</a>
        </p>
      </div>
      {children.length > 0 ? (
        <ul className="ca-tree" aria-label={`CAs under ${ca.name}`}>
          {children.map((c) => (
            <CaItem key={c.ca.id} node={c} now={props.now} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** E1: the CA hierarchy as a tree, with each CA's certificate, CRL and warnings. */
export function CaListPage() {
  usePkiData();
  const cas = useAppStore((s) => s.pki.cas);
  const status = useAppStore((s) => s.pki.casStatus);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.listCas]);
  const tree = useMemo(() => caTree(cas), [cas]);
  const now = useNow();

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'certs' })}>Certificates</a> › Certificate authorities
      </p>
      <PageTitle documentTitle="Certificate authorities">Certificate authorities</PageTitle>
      <p className="lead">
        A root CA signs itself and is what clients trust; intermediate CAs are signed by a root (or another intermediate) and issue
        the day-to-day certificates, so the root key can stay unused. Every CA key lives in this browser’s vault.
      </p>
      <p className="actions">
        <a className="button button-primary" href={href({ name: 'ca-new' })}>
          Create a CA
        </a>
        <a className="button" href={href({ name: 'cert-issue' })}>
          Issue a certificate
        </a>
        <a className="button" href={href({ name: 'ca-bulk' })}>
          Issue many
        </a>
      </p>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The CAs could not be loaded" />
      {status === 'ready' && cas.length === 0 ? (
        <EmptyState title="No CAs yet" headingId="no-cas">
          <p>
            Start with a root: <a href={href({ name: 'ca-new' })}>create a root CA</a>, then an intermediate under it.
          </p>
        </EmptyState>
      ) : null}
      {cas.length > 0 ? (
        <section aria-labelledby="ca-hierarchy" className="panel">
          <h2 id="ca-hierarchy">Hierarchy</h2>
          <ul className="ca-tree ca-tree-top" aria-label="CA hierarchy">
            {tree.map((n) => (
              <CaItem key={n.ca.id} node={n} now={now} />
            ))}
          </ul>
        </section>
      ) : null}
      {status === 'loading' && cas.length === 0 ? <p>Loading CAs…</p> : null}
    </>
  );
}
