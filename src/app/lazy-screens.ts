/**
 * Screens loaded on first visit. The entry chunk carries the shell, the home page and
 * the vault's list (what a first visit needs); the generate and import screens, a key's
 * own page (use, export, lifecycle panel), the state diagram, the CA, lifecycle overview,
 * audit, backup, KDC and key-exchange screens each arrive as their own chunk when their
 * route is opened, so the first page stays within its budget (SECURITY.md P13).
 */
import { lazy, type ComponentType } from 'react';

/** `React.lazy` for a named export. */
function named<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  // A lazy component takes its export's props; `any` here is cast back to that type.
  // oxlint-disable-next-line typescript/no-explicit-any
  return lazy(async () => ({ default: (await load())[name] as ComponentType<any> })) as M[K];
}

const keys = {
  generate: () => import('../features/keys/generate-key-page'),
  import: () => import('../features/keys/import-key-page'),
};
export const GenerateKeyPage = named(keys.generate, 'GenerateKeyPage');
export const ImportKeyPage = named(keys.import, 'ImportKeyPage');
/** The lifecycle's state diagram (a walkthrough step draws it): its own chunk. */
export const StateDiagram = named(() => import('../features/lifecycle/state-diagram'), 'StateDiagram');

const pki = {
  list: () => import('../features/pki/ca-list-page'),
  certs: () => import('../features/pki/cert-list-page'),
  cert: () => import('../features/pki/cert-page'),
  create: () => import('../features/pki/create-ca-page'),
  crl: () => import('../features/pki/crl-page'),
  csr: () => import('../features/pki/csr-page'),
  issue: () => import('../features/pki/issue-page'),
  bulk: () => import('../features/pki/bulk-issue-page'),
};
export const CaListPage = named(pki.list, 'CaListPage');
export const CertListPage = named(pki.certs, 'CertListPage');
export const CertPage = named(pki.cert, 'CertPage');
export const CreateCaPage = named(pki.create, 'CreateCaPage');
export const CrlPage = named(pki.crl, 'CrlPage');
export const CsrPage = named(pki.csr, 'CsrPage');
export const IssuePage = named(pki.issue, 'IssuePage');
export const BulkIssuePage = named(pki.bulk, 'BulkIssuePage');
/** A key page's "revoke all certificates of this key" (issue 15), from the CA screens' chunk. */
export const RevokeAllSection = named(() => import('../features/pki/revoke-all'), 'RevokeAllSection');

export const KeyPage = named(() => import('../features/keys/key-page'), 'KeyPage');
export const LifecyclePanel = named(() => import('../features/lifecycle/lifecycle-panel'), 'LifecyclePanel');

export const LifecyclePage = named(() => import('../features/lifecycle/lifecycle-page'), 'LifecyclePage');
export const AuditPage = named(() => import('../features/audit/audit-page'), 'AuditPage');
export const BackupPage = named(() => import('../features/backup/backup-page'), 'BackupPage');

const kdc = () => import('../features/kdc');
export const KdcDistributionPage = named(kdc, 'KdcDistributionPage');
export const KdcPrincipalsPage = named(kdc, 'KdcPrincipalsPage');
export const KdcAttacksPage = named(kdc, 'KdcAttacksPage');
export const KdcKeysPage = named(kdc, 'KdcKeysPage');

export const VerifyPage = named(() => import('../features/verify/verify-page'), 'VerifyPage');

export const ExchangePage = named(() => import('../features/exchange/exchange-page'), 'ExchangePage');

const walkthroughs = {
  index: () => import('../features/walkthroughs/walkthroughs-page'),
  step: () => import('../features/walkthroughs/step-page'),
  object: () => import('../features/walkthroughs/object-page'),
};
export const WalkthroughsPage = named(walkthroughs.index, 'WalkthroughsPage');
export const WalkthroughStepPage = named(walkthroughs.step, 'WalkthroughStepPage');
export const WalkthroughObjectPage = named(walkthroughs.object, 'WalkthroughObjectPage');

// Vault lock settings (issue 16): the header's control is in the entry chunk, its settings are not.
export const LockSettingsPage = named(() => import('../features/lock/lock-settings-page'), 'LockSettingsPage');

/** The header's vault-lock control: its own chunk, loaded right after the first page. */
export const LockControl = named(() => import('../features/lock/lock-control'), 'LockControl');
