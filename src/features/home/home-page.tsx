// The home page: the areas of Clavis and where each lives.
import { useMemo } from 'react';
import type { KeyInfo } from '../../engine';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { href } from '../../routes/routes';

/** The areas of Clavis and where each lives. */
const AREAS: Array<{ name: string; what: string; href: string }> = [
  {
    name: 'Keys',
    href: href({ name: 'keys' }),
    what: 'A vault of named keys (AES-GCM, HMAC, Fernet, RSA, ECDSA, ECDH, X25519, Ed25519 and, where the browser has them, ML-KEM and ML-DSA): generate, import, export, fingerprint, and use them to encrypt, decrypt, sign and verify.',
  },
  {
    name: 'Lifecycle',
    href: href({ name: 'lifecycle' }),
    what: 'The NIST SP 800-57 key states, from pre-activation to destruction, with dates, rotation, revocation of keys and their owners, and a simulated clock to watch keys age.',
  },
  { name: 'Audit log', href: href({ name: 'audit' }), what: 'Every change and use of a key in a hash-chained log: verify it, find a tampered entry, export it as JSON Lines.' },
  {
    name: 'Key distribution center',
    href: href({ name: 'kdc' }),
    what: 'A Needham–Schroeder/Kerberos-style KDC that hands out session keys, with the replay attacks it must stop, run against it and against the unfixed protocol.',
  },
  { name: 'Key exchange', href: href({ name: 'exchange' }), what: 'ECDH and X25519 between two parties, with and without a man in the middle, how signatures catch him, and forward secrecy.' },
  {
    name: 'Certificate authority',
    href: href({ name: 'certs' }),
    what: 'Root and intermediate CAs, certificates for vault keys or from CSRs that openssl accepts, revocation and CRLs, a certificate viewer with an ASN.1 tree, and path validation that explains itself.',
  },
  { name: 'Walkthroughs', href: href({ name: 'walkthroughs' }), what: 'Guided, step-by-step scenarios that run the real engine and show the real bytes.' },
];

function count(keys: KeyInfo[], pred: (k: KeyInfo) => boolean): number {
  return keys.filter(pred).length;
}

/** What Clavis is, what each area does, which exist today, and the vault's key counts. */
export function HomePage() {
  const ids = useAppStore((s) => s.keys.ids);
  const byId = useAppStore((s) => s.keys.byId);
  const listStatus = useAppStore((s) => s.keys.listStatus);
  const keys = useMemo(() => ids.map((id) => byId[id]).filter((k): k is KeyInfo => k !== undefined), [ids, byId]);

  return (
    <>
      <PageTitle documentTitle="Home">A key-management system in a browser tab</PageTitle>
      <p className="lead">
        Clavis is a key vault, a key distribution center, key exchange and a certificate authority that run entirely in this tab.
        Your browser’s WebCrypto does the cryptography and IndexedDB keeps the keys. There is no server: nothing you create here
        leaves the tab, and private keys are non-extractable wherever the job allows.
      </p>

      <section aria-labelledby="home-vault" className="panel">
        <h2 id="home-vault">Your vault</h2>
        {listStatus === 'ready' ? (
          keys.length === 0 ? (
            <p>
              The vault is empty. <a href={href({ name: 'key-new' })}>Generate a key</a> to start.
            </p>
          ) : (
            <dl className="counts">
              <div>
                <dt>Keys</dt>
                <dd>{keys.length}</dd>
              </div>
              <div>
                <dt>Secret keys</dt>
                <dd>{count(keys, (k) => k.kind === 'secret')}</dd>
              </div>
              <div>
                <dt>Key pairs</dt>
                <dd>{count(keys, (k) => k.kind === 'key-pair')}</dd>
              </div>
              <div>
                <dt>Public keys</dt>
                <dd>{count(keys, (k) => k.kind === 'public')}</dd>
              </div>
              <div>
                <dt>Exportable</dt>
                <dd>{count(keys, (k) => k.extractable)}</dd>
              </div>
            </dl>
          )
        ) : (
          <p>Counting keys…</p>
        )}
      </section>

      <section aria-labelledby="home-now" className="panel">
        <h2 id="home-now">What Clavis does</h2>
        <ul className="areas">
          {AREAS.map((a) => (
            <li key={a.name}>
              <a href={a.href}>{a.name}</a>: {a.what}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="home-how" className="panel">
        <h2 id="home-how">How it keeps keys safe</h2>
        <ul>
          <li>Keys are WebCrypto CryptoKey objects stored in IndexedDB. A non-extractable key can be used but its bytes can never be read, even by Clavis.</li>
          <li>No network: the page loads from its own origin and makes no other requests. A strict Content Security Policy enforces it.</li>
          <li>Everything lives in this browser profile. Ask for persistent storage (Clavis does when you generate your first key) so the browser does not clear it under pressure.</li>
        </ul>
      </section>
    </>
  );
}
