// Whether the browser may evict the vault, and how much space it uses.
import { formatBytes } from '../components/ui/format';
import { useAppStore } from '../state/engine-provider';

/** W5/G4: whether the browser may evict the vault, and how much space it uses. */
export function StorageStatus() {
  const persisted = useAppStore((s) => s.storage.persisted);
  const requested = useAppStore((s) => s.storage.persistRequested);
  const usage = useAppStore((s) => s.storage.usage);
  const quota = useAppStore((s) => s.storage.quota);
  const requestPersistence = useAppStore((s) => s.storage.requestPersistence);

  let text: string;
  if (persisted === true) text = 'Storage is persistent: the browser will not clear the vault to free space.';
  else if (persisted === false)
    text = requested
      ? 'Storage is not persistent: the browser declined, so it may clear the vault when space runs low. Export what you cannot lose.'
      : 'Storage is not persistent yet: Clavis asks when you generate your first key.';
  else text = 'Storage persistence is unknown in this browser.';

  return (
    <section className="storage-status" aria-label="Storage status">
      <p>
        <span className={`dot ${persisted ? 'dot-ok' : 'dot-warn'}`} aria-hidden="true" />
        {text}
        {usage !== null ? ` Using ${formatBytes(usage)}${quota !== null ? ` of ${formatBytes(quota)}` : ''}.` : ''}
      </p>
      {persisted === false && !requested ? (
        <button type="button" className="button button-small" onClick={() => void requestPersistence()}>
          Ask for persistent storage
        </button>
      ) : null}
    </section>
  );
}
