// A8: the key inventory: search, filters, a virtualized list, or the empty state.
import { useMemo } from 'react';
import type { KeyInfo, TemplateName } from '../../engine';
import { DataTable, type Column } from '../../components/ui/data-table';
import { EmptyState, NoMatches } from '../../components/ui/empty-state';
import { Field, SelectField } from '../../components/ui/field';
import { CountMessage, FilterBar } from '../../components/ui/filter-bar';
import { ErrorAlert } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { formatUtc } from '../../components/ui/format';
import { useAppStore } from '../../state/engine-provider';
import { filterKeys, type KeyListFilter } from '../../state/slices/keys-slice';
import { ExtractabilityBadge } from './extractability';
import { kindLabel, shortFingerprint } from './labels';
import { href } from '../../routes/routes';
import { KeyStateBadge } from './state-badge';

const KINDS: Array<KeyInfo['kind']> = ['secret', 'key-pair', 'public'];
const EXTRACTABILITY = [
  { value: 'non-extractable', label: 'Non-extractable' },
  { value: 'extractable', label: 'Exportable' },
];

/** A8: the inventory with search and filters, or an empty state that leads to generation. */
export function KeyListPage() {
  const ids = useAppStore((s) => s.keys.ids);
  const byId = useAppStore((s) => s.keys.byId);
  const listStatus = useAppStore((s) => s.keys.listStatus);
  const listError = useAppStore((s) => s.keys.listError);
  const filter = useAppStore((s) => s.keys.filter);
  const templates = useAppStore((s) => s.keys.templates);
  const setFilter = useAppStore((s) => s.keys.setFilter);
  const clearFilter = useAppStore((s) => s.keys.clearFilter);

  const all = useMemo(() => ids.map((id) => byId[id]).filter((k): k is KeyInfo => k !== undefined), [ids, byId]);
  const shown = useMemo(() => filterKeys(all, filter), [all, filter]);
  const owners = useMemo(() => [...new Set(all.map((k) => k.owner).filter(Boolean))].sort(), [all]);
  const usedTemplates = useMemo(() => [...new Set(all.map((k) => k.template))].sort(), [all]);
  const templateLabel = (name: TemplateName) => templates.find((t) => t.name === name)?.label ?? name;
  const filtering = Object.values(filter).some((v) => v !== '');

  const columns: Column<KeyInfo>[] = [
    { header: 'Name', rowHeader: true, cell: (k) => <a href={href({ name: 'key', id: k.id })}>{k.name}</a> },
    { header: 'Owner', cell: (k) => k.owner || <span className="muted">none</span> },
    { header: 'Template', cell: (k) => templateLabel(k.template) },
    { header: 'Kind', cell: (k) => kindLabel(k.kind) },
    { header: 'State', cell: (k) => <KeyStateBadge state={k.state} /> },
    { header: 'Extractability', cell: (k) => <ExtractabilityBadge info={k} /> },
    { header: 'Fingerprint', cell: (k) => <code className="fingerprint-short">{shortFingerprint(k.fingerprint)}</code> },
    { header: 'Created', cell: (k) => <time dateTime={k.createdAt}>{formatUtc(k.createdAt)}</time> },
  ];

  const on = (field: keyof KeyListFilter) => (e: { currentTarget: { value: string } }) =>
    setFilter({ [field]: e.currentTarget.value } as Partial<KeyListFilter>);

  return (
    <>
      <PageTitle documentTitle="Keys">Keys</PageTitle>
      <p className="lead">Every key in this browser’s vault. Secret and private parts stay inside the browser unless a key is marked exportable.</p>
      <p className="actions">
        <a className="button button-primary" href={href({ name: 'key-new' })}>
          Generate a key
        </a>
        <a className="button" href={href({ name: 'key-import' })}>
          Import a key
        </a>
      </p>

      <ErrorAlert error={listError} title="The key list could not be loaded" />

      {listStatus === 'ready' && all.length === 0 ? (
        <EmptyState title="No keys yet" headingId="empty-keys">
          <p>
            The vault is empty. <a href={href({ name: 'key-new' })}>Generate your first key</a> or{' '}
            <a href={href({ name: 'key-import' })}>import one</a>.
          </p>
        </EmptyState>
      ) : null}

      {all.length > 0 ? (
        <>
          <FilterBar label="Filter keys" filtering={filtering} onClear={clearFilter}>
            <Field label="Search keys">
              {(control) => <input {...control} type="search" value={filter.text} onChange={on('text')} placeholder="Name, owner, template or fingerprint" />}
            </Field>
            <SelectField label="Owner" value={filter.owner} onChange={on('owner')} any="Any owner" choices={owners.map((o) => ({ value: o, label: o }))} />
            <SelectField
              label="Template"
              value={filter.template}
              onChange={on('template')}
              any="Any template"
              choices={usedTemplates.map((t) => ({ value: t, label: templateLabel(t) }))}
            />
            <SelectField label="Kind" value={filter.kind} onChange={on('kind')} any="Any kind" choices={KINDS.map((k) => ({ value: k, label: kindLabel(k) }))} />
            <SelectField label="Extractability" value={filter.extractable} onChange={on('extractable')} any="Any" choices={EXTRACTABILITY} />
          </FilterBar>

          <CountMessage shown={shown.length} total={all.length} filtering={filtering} one="key" many="keys" />

          {shown.length === 0 ? (
            <NoMatches>No keys match these filters.</NoMatches>
          ) : (
            /* Only the rows near the viewport are rendered: 10,000 keys stay instant. */
            <DataTable caption="Keys in the vault" columns={columns} rows={shown} rowKey={(k) => k.id} virtual />
          )}
        </>
      ) : null}
      {listStatus === 'loading' && all.length === 0 ? <p>Loading keys…</p> : null}
    </>
  );
}
