/**
 * The app shell: skip link, header with the main navigation and theme toggle, the
 * current screen, and the storage status. Composes the features; owns routing.
 */
import { useVaultSync, VersionChangePrompt } from './vault-sync';
import { EvictionNotice } from './eviction-notice';
import { Suspense, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { PageTitle } from '../components/ui/page-title';
import { HomePage } from '../features/home/home-page';
import { KeyListPage } from '../features/keys/key-list-page';
import { SimulatedTimeBanner } from '../features/lifecycle/clock-control';
import { KEY_STATES } from '../engine/lifecycle/states';
import type { KeyInfo, KeyState } from '../engine';
import { useCrlScheduler } from '../features/pki/crl-scheduler';
import { useAppStore, useAppStoreApi } from '../state/engine-provider';
import { startLifecycleClock } from '../state/slices/lifecycle-slice';
import { StorageErrorScreen } from './error-screen';
import {
  AuditPage,
  BackupPage,
  CaListPage,
  CertListPage,
  CertPage,
  CreateCaPage,
  CrlPage,
  CsrPage,
  ExchangePage,
  IssuePage,
  BulkIssuePage,
  KdcAttacksPage,
  KdcDistributionPage,
  KdcKeysPage,
  KdcPrincipalsPage,
  LifecyclePage,
  WalkthroughsPage,
  WalkthroughObjectPage,
  WalkthroughStepPage,
  KeyPage,
  LifecyclePanel,
  RevokeAllSection,
  VerifyPage,
  LockSettingsPage,
  LockControl,
  GenerateKeyPage,
  ImportKeyPage,
  StateDiagram,
} from './lazy-screens';
import { navigate, useHash } from './router';
import { hashPath, href, parseHash, type Route } from '../routes/routes';
import { StorageStatus } from './storage-status';
import { ThemeSelect } from './theme-select';

/** Main navigation entries: only areas that exist. */
const NAV: Array<{ href: string; label: string; section: (r: Route) => boolean }> = [
  { href: href({ name: 'home' }), label: 'Home', section: (r) => r.name === 'home' },
  { href: href({ name: 'keys' }), label: 'Keys', section: (r) => r.name === 'keys' || r.name === 'key' || r.name === 'key-new' || r.name === 'key-import' },
  {
    href: href({ name: 'certs' }),
    label: 'Certificates',
    section: (r) => r.name === 'certs' || r.name === 'cert' || r.name === 'cert-issue' || r.name === 'cert-csr' || r.name === 'cas' || r.name === 'ca-new' || r.name === 'ca-bulk' || r.name === 'crl',
  },
  { href: href({ name: 'verify' }), label: 'Verify', section: (r) => r.name === 'verify' },
  { href: href({ name: 'lifecycle' }), label: 'Lifecycle', section: (r) => r.name === 'lifecycle' },
  { href: href({ name: 'audit' }), label: 'Audit', section: (r) => r.name === 'audit' },
  { href: href({ name: 'backup' }), label: 'Backup', section: (r) => r.name === 'backup' },
  { href: href({ name: 'kdc' }), label: 'KDC', section: (r) => r.name.startsWith('kdc') },
  { href: href({ name: 'exchange' }), label: 'Exchange', section: (r) => r.name === 'exchange' },
  { href: href({ name: 'walkthroughs' }), label: 'Walkthroughs', section: (r) => r.name === 'walkthroughs' || r.name === 'walkthrough-step' || r.name === 'walkthrough-object' },
];

/** A key page's certificates panel: the CA screens' "revoke all certificates of this key", in its own boundary so its chunk never blanks the page. */
const keyCertificates = (info: KeyInfo) => (
  <Suspense fallback={null}>
    <RevokeAllSection scope={{ kind: 'key', keyId: info.id, spkiSha256: info.fingerprint.value, name: info.name }} />
  </Suspense>
);

/** The walkthrough step page draws key states with the lifecycle feature's diagram. */
const walkthroughLifecycle = (state: string) =>
  (KEY_STATES as readonly string[]).includes(state) ? <StateDiagram state={state as KeyState} caption="The key’s state after this step; thick arrows leave it." /> : null;

/** A walkthrough's key, certificate or CRL on the app's own page, inside its namespace. */
function walkthroughObject(kind: 'key' | 'cert' | 'crl', id: string, back: string) {
  switch (kind) {
    case 'key':
      return <KeyPage id={id} navigate={() => navigate(back)} lifecycle={(info) => <LifecyclePanel info={info} />} certificates={keyCertificates} />;
    case 'cert':
      return <CertPage id={id} />;
    case 'crl':
      return <CrlPage caId={id} />;
  }
}

function Screen(props: { route: Route }) {
  const r = props.route;
  switch (r.name) {
    case 'home':
      return <HomePage />;
    case 'keys':
      return <KeyListPage />;
    case 'key-new':
      return <GenerateKeyPage navigate={navigate} />;
    case 'key-import':
      return <ImportKeyPage navigate={navigate} />;
    case 'key':
      return <KeyPage key={r.id} id={r.id} navigate={navigate} lifecycle={(info) => <LifecyclePanel info={info} />} certificates={keyCertificates} />;
    case 'cas':
      return <CaListPage />;
    case 'ca-new':
      return <CreateCaPage navigate={navigate} />;
    case 'ca-bulk':
      return <BulkIssuePage />;
    case 'crl':
      return <CrlPage key={r.caId} caId={r.caId} />;
    case 'certs':
      return <CertListPage />;
    case 'cert-issue':
      return <IssuePage navigate={navigate} />;
    case 'cert-csr':
      return <CsrPage key={r.keyId ?? ''} {...(r.keyId ? { keyId: r.keyId } : {})} />;
    case 'cert':
      return <CertPage key={r.id} id={r.id} />;
    case 'lifecycle':
      return <LifecyclePage />;
    case 'audit':
      return <AuditPage />;
    case 'backup':
      return <BackupPage />;
    case 'verify':
      return <VerifyPage />;
    // KDC
    case 'kdc':
      return <KdcDistributionPage />;
    case 'kdc-principals':
      return <KdcPrincipalsPage />;
    case 'kdc-attacks':
      return <KdcAttacksPage />;
    case 'kdc-keys':
      return <KdcKeysPage />;
    // Key exchange
    case 'exchange':
      return <ExchangePage />;
    // Walkthroughs
    case 'walkthroughs':
      return <WalkthroughsPage />;
    case 'walkthrough-step':
      return <WalkthroughStepPage key={r.id} walkthroughId={r.id} step={r.step} navigate={navigate} lifecycleDiagram={walkthroughLifecycle} />;
    case 'walkthrough-object':
      return (
        <WalkthroughObjectPage
          key={`${r.id}/${r.kind}/${r.objectId}`}
          walkthroughId={r.id}
          step={r.step}
          kind={r.kind}
          objectId={r.objectId}
          render={walkthroughObject}
        />
      );
    case 'lock-settings':
      return <LockSettingsPage />;
    case 'not-found':
      return (
        <>
          <PageTitle documentTitle="Page not found">Page not found</PageTitle>
          <p>
            Nothing lives at this address. Go to the <a href={href({ name: 'home' })}>home page</a> or the <a href={href({ name: 'keys' })}>key list</a>.
          </p>
        </>
      );
  }
}

/**
 * The main navigation. On a phone it folds behind a Menu button (aria-expanded), opens
 * as a list over the page, closes on Escape (focus back on the button) and after every
 * navigation; from 40rem up the links are always shown and the button is hidden.
 */
function MainNav(props: { route: Route; hash: string }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  // Close after navigation.
  const [seenHash, setSeenHash] = useState(props.hash);
  if (seenHash !== props.hash) {
    setSeenHash(props.hash);
    setOpen(false);
  }
  function onKeyDown(e: KeyboardEvent<HTMLElement>) {
    if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
    }
  }
  return (
    <nav aria-label="Main" className={open ? 'main-nav main-nav-open' : 'main-nav'} onKeyDown={onKeyDown}>
      <button ref={buttonRef} type="button" className="button menu-button" aria-expanded={open} aria-controls="main-nav-list" onClick={() => setOpen((o) => !o)}>
        <span aria-hidden="true">☰ </span>Menu
      </button>
      <ul id="main-nav-list">
        {NAV.map((n) => (
          <li key={n.href}>
            <a href={n.href} aria-current={n.section(props.route) ? 'page' : undefined} onClick={() => setOpen(false)}>
              {n.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The whole application below the EngineProvider. */
export function App() {
  const hash = useHash();
  const route = useMemo(() => parseHash(hash), [hash]);
  const store = useAppStoreApi();
  const listError = useAppStore((s) => s.keys.listError);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  // R6: rebuild CRLs before their nextUpdate while the app is open.
  useCrlScheduler();
  // Every open tab shows the same vault (issue 14 #10).
  useVaultSync();

  useEffect(() => {
    const s = store.getState();
    void s.keys.refresh();
    void s.keys.loadTemplates();
    void s.storage.refresh();
  }, [store]);

  // Key lifecycle (B3): apply the transitions due now, then keep a timer armed while open.
  useEffect(() => startLifecycleClock(store), [store]);

  // After navigation, move focus to the new page's h1 so keyboard and screen-reader
  // users start at the top of what changed (not on the initial load). A change of the
  // hash's query only (a screen's filters, e.g. #/audit?action=…) is no navigation.
  const path = hashPath(hash);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const main = mainRef.current;
    const h1 = main?.querySelector<HTMLElement>('h1');
    (h1 ?? main)?.focus();
    window.scrollTo?.(0, 0);
  }, [path]);

  function skipToMain(e: MouseEvent<HTMLAnchorElement>) {
    // The hash is the router's, so the skip link moves focus instead of the location.
    e.preventDefault();
    mainRef.current?.focus();
  }

  const storageBroken = listError?.code === 'STORAGE';
  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <p className="brand">
            <a href={href({ name: 'home' })}>
              <img src="/favicon.svg" alt="" width={24} height={24} />
              Clavis
            </a>
          </p>
          <MainNav route={route} hash={hash} />
          <ThemeSelect />
          {/* The lock's control loads just after the first page (it is not needed to show it). */}
          <Suspense fallback={null}>
            <LockControl />
          </Suspense>
        </div>
        <SimulatedTimeBanner />
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        <VersionChangePrompt />
        <EvictionNotice />
        {storageBroken ? <StorageErrorScreen error={listError} onRetry={() => void store.getState().keys.refresh()} /> : (
          <Suspense fallback={<p role="status">Loading…</p>}>
            <Screen route={route} />
          </Suspense>
        )}
      </main>
      <footer className="site-footer">
        <StorageStatus />
        <p className="hint">Clavis runs entirely in this tab. It makes no network requests; keys stay in this browser profile.</p>
      </footer>
    </div>
  );
}
