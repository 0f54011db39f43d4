// The screen shown when storage cannot be opened, with the error code and a retry.
import { PageTitle } from '../components/ui/page-title';

/**
 * Shown instead of the app when the vault's storage cannot be used: IndexedDB missing
 * or blocked, or the browser refusing to store CryptoKeys (WebKit Lockdown/private modes).
 */
export function StorageErrorScreen(props: { error: { code: string; message: string }; onRetry?: () => void }) {
  return (
    <>
      <PageTitle documentTitle="Storage unavailable">Clavis cannot use this browser’s storage</PageTitle>
      <div className="alert alert-error" role="alert">
        <p className="alert-title">
          The key vault could not be opened <span className="code">({props.error.code})</span>
        </p>
        <p className="alert-message">{props.error.message}</p>
      </div>
      <p>Clavis keeps keys as CryptoKey objects in IndexedDB. Without it, keys could not survive a reload, so nothing is offered.</p>
      <ul>
        <li>Private or incognito windows, and Lockdown Mode, may block IndexedDB or refuse to store keys: try a normal window.</li>
        <li>Check that the site may store data (cookies and site data are allowed for it).</li>
        <li>If the disk is full, free some space.</li>
      </ul>
      {props.onRetry ? (
        <p>
          <button type="button" className="button button-primary" onClick={props.onRetry}>
            Try again
          </button>
        </p>
      ) : null}
    </>
  );
}
