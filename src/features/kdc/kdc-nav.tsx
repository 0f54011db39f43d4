// The KDC screens' shared navigation and the data they load once.
import { useEffect, useState } from 'react';
import { useAppStore } from '../../state/engine-provider';
import { href } from '../../routes/routes';

const LINKS = [
  { href: href({ name: 'kdc' }), label: 'Distribution' },
  { href: href({ name: 'kdc-principals' }), label: 'Principals' },
  { href: href({ name: 'kdc-attacks' }), label: 'Attacks' },
  { href: href({ name: 'kdc-keys' }), label: 'Distributed keys' },
] as const;

/** The KDC's own navigation between its four screens. */
export function KdcNav(props: { current: (typeof LINKS)[number]['href'] }) {
  return (
    <nav aria-label="Key distribution center" className="kdc-nav">
      <ul>
        {LINKS.map((l) => (
          <li key={l.href}>
            <a href={l.href} aria-current={l.href === props.current ? 'page' : undefined}>
              {l.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Loads principals and keys once when a KDC screen opens. */
export function useKdcData() {
  const refresh = useAppStore((s) => s.kdc.refresh);
  useEffect(() => {
    void refresh();
  }, [refresh]);
}

/**
 * A and B as chosen in a form: the user's choice, or by default the first active
 * principal and the first active service after it (derived, not copied into state).
 */
export function usePartyChoice(principals: ReadonlyArray<{ name: string; kind: string; status: string }>) {
  const [client, setClient] = useState('');
  const [service, setService] = useState('');
  const active = principals.filter((p) => p.status === 'active');
  const a = client || active[0]?.name || '';
  const b = service || active.find((p) => p.kind === 'service' && p.name !== a)?.name || active.find((p) => p.name !== a)?.name || '';
  return { client: a, service: b, setClient, setService };
}
