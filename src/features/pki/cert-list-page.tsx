// E10: the certificate list: search, filters, selection for bulk revocation.
import { useMemo, useState } from 'react';
import type { CertId, CertInfo } from '../../engine';
import { formatUtc } from '../../components/ui/format';
import { DataTable, type Column } from '../../components/ui/data-table';
import { EmptyState, NoMatches } from '../../components/ui/empty-state';
import { Field, SelectField } from '../../components/ui/field';
import { CountMessage, FilterBar } from '../../components/ui/filter-bar';
import { Badge, ErrorAlert } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { EXPIRY_WARNING_DAYS, expiryWarnings, filterCerts, pkiOpNames, type CertListFilter } from '../../state/slices/pki-slice';
import { BulkRevokeBar } from './bulk-revoke';
import { commonName, profileLabel, statusLabel, statusTone } from './labels';
import { href } from '../../routes/routes';
import { useNow, usePkiData } from './use-pki-data';

const PROFILES = ['root-ca', 'sub-ca', 'tls-server', 'tls-client', 'code-signing', 'email'];
const STATUSES: Array<CertInfo['status']> = ['valid', 'expired', 'revoked', 'not-yet-valid'];

/** E10: every issued certificate, searchable by CN/SAN/serial and filtered by CA, profile and status. */
export function CertListPage() {
  usePkiData({ certs: true });
  const certIds = useAppStore((s) => s.pki.certIds);
  const certsById = useAppStore((s) => s.pki.certsById);
  const cas = useAppStore((s) => s.pki.cas);
  const status = useAppStore((s) => s.pki.certsStatus);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.listCerts]);
  const filter = useAppStore((s) => s.pki.filter);
  const setFilter = useAppStore((s) => s.pki.setFilter);
  const clearFilter = useAppStore((s) => s.pki.clearFilter);

  const all = useMemo(() => certIds.map((i) => certsById[i]).filter((c): c is CertInfo => c !== undefined), [certIds, certsById]);
  const shown = useMemo(() => filterCerts(all, filter), [all, filter]);
  const caName = new Map(cas.map((c) => [c.id, c.name]));
  const filtering = Object.values(filter).some((v) => v !== '');
  const now = useNow();
  const warned = all.filter((c) => expiryWarnings(c, cas, now).length > 0).length;
  const [selected, setSelected] = useState<ReadonlySet<CertId>>(() => new Set());
  const refreshCerts = useAppStore((s) => s.pki.refreshCerts);
  const toggle = (id: CertId, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const columns: Column<CertInfo>[] = [
    {
      header: <span className="visually-hidden">Selected</span>,
      cell: (c) => (
        <input type="checkbox" aria-label={`Select ${commonName(c.subject)} (serial ${c.serialHex.slice(0, 16)})`} checked={selected.has(c.id)} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
      ),
    },
    {
      header: 'Subject',
      rowHeader: true,
      cell: (c) => (
        <>
          <a href={href({ name: 'cert', id: c.id })}>{commonName(c.subject)}</a>
          {c.sans.dns.length ? <span className="hint cert-sans"> {c.sans.dns.join(', ')}</span> : null}
        </>
      ),
    },
    { header: 'Issuer', cell: (c) => caName.get(c.issuerId) ?? c.issuer },
    { header: 'Profile', cell: (c) => profileLabel(c.profile) },
    { header: 'Serial', cell: (c) => <code className="fingerprint-short">{c.serialHex.slice(0, 16)}…</code> },
    {
      header: 'Valid until',
      cell: (c) => (
        <>
          <time dateTime={c.notAfter}>{formatUtc(c.notAfter)}</time>
          {expiryWarnings(c, cas, now).map((w) => (
            <span key={w}>
              {' '}
              <Badge tone="warn">{w}</Badge>
            </span>
          ))}
        </>
      ),
    },
    { header: 'Status', cell: (c) => <Badge tone={statusTone(c.status)}>{statusLabel(c.status)}</Badge> },
  ];
  const on = (field: keyof CertListFilter) => (e: { currentTarget: { value: string } }) => setFilter({ [field]: e.currentTarget.value } as Partial<CertListFilter>);

  return (
    <>
      <PageTitle documentTitle="Certificates">Certificates</PageTitle>
      <p className="lead">Every certificate the CAs in this browser have issued, CA certificates included.</p>
      <p className="actions">
        <a className="button button-primary" href={href({ name: 'cert-issue' })}>
          Issue a certificate
        </a>
        <a className="button" href={href({ name: 'cert-csr' })}>
          Create a CSR
        </a>
        <a className="button" href={href({ name: 'cas' })}>
          Certificate authorities
        </a>
        <a className="button" href={href({ name: 'ca-new' })}>
          Create a CA
        </a>
      </p>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The certificates could not be loaded" />
      {status === 'ready' && all.length === 0 ? (
        <EmptyState title="No certificates yet" headingId="no-certs">
          <p>
            <a href={href({ name: 'ca-new' })}>Create a root CA</a> first; its certificate is the first one listed here.
          </p>
        </EmptyState>
      ) : null}
      {warned > 0 ? (
        <p className="warning" role="note">
          {warned} {warned === 1 ? 'certificate needs' : 'certificates need'} attention: expiring within {EXPIRY_WARNING_DAYS} days, or under a CA that expires
          first.
        </p>
      ) : null}
      {all.length > 0 ? (
        <>
          <FilterBar label="Filter certificates" filtering={filtering} onClear={clearFilter}>
            <Field label="Search certificates">
              {(control) => <input {...control} type="search" value={filter.text} onChange={on('text')} placeholder="Common name, SAN or serial" />}
            </Field>
            <SelectField label="Issuing CA" value={filter.caId} onChange={on('caId')} any="Any CA" choices={cas.map((c) => ({ value: c.id, label: c.name }))} />
            <SelectField label="Profile" value={filter.profile} onChange={on('profile')} any="Any profile" choices={PROFILES.map((p) => ({ value: p, label: profileLabel(p) }))} />
            <SelectField label="Status" value={filter.status} onChange={on('status')} any="Any status" choices={STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))} />
          </FilterBar>
          <BulkRevokeBar
            selected={selected}
            matching={shown.map((c) => c.id)}
            onSelectMatching={() => setSelected(new Set(shown.map((c) => c.id)))}
            onClear={() => setSelected(new Set())}
            onDone={() => {
              setSelected(new Set());
              void refreshCerts();
            }}
          />
          <CountMessage shown={shown.length} total={all.length} filtering={filtering} one="certificate" many="certificates" />
          {shown.length === 0 ? (
            <NoMatches>No certificates match these filters.</NoMatches>
          ) : (
            /* Only the rows near the viewport are rendered: 10,000 certificates stay instant. */
            <DataTable caption="Issued certificates" columns={columns} rows={shown} rowKey={(c) => c.id} virtual />
          )}
        </>
      ) : null}
      {status === 'loading' && all.length === 0 ? <p>Loading certificates…</p> : null}
    </>
  );
}
