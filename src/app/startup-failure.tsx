// What Clavis shows when it cannot start: the whole page, with the error and a reload to retry.
import { StorageErrorScreen } from './error-screen';

/** The whole page when the app could not start (no storage, no WebCrypto). */
export function StartupFailure(props: { error: { code: string; message: string } }) {
  return (
    <div className="shell">
      <header className="site-header">
        <div className="site-header-inner">
          <p className="brand">Clavis</p>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <StorageErrorScreen error={props.error} onRetry={() => window.location.reload()} />
      </main>
    </div>
  );
}
