// The KDC screens' shared navigation and the data they load once.
import { useEffect, useState } from 'react';
import { asPrincipalId, type PrincipalId } from '../../engine';
import { useAppStore } from '../../state/engine-provider';
import type { ErrorInfo } from '../../state/types';
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

/** The refusal a form shows when A or B is missing (no active principal to default to). */
export const NO_PARTIES: ErrorInfo = { code: 'INVALID_ARGUMENT', message: 'kdc: choose two principals, A and B' };

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
 * A select's value comes back from the DOM as text, so a choice is branded with
 * `asPrincipalId` before it is kept. `undefined` while there is no principal to choose.
 */
export function usePartyChoice(principals: ReadonlyArray<{ name: PrincipalId; kind: string; status: string }>) {
  const [client, setClient] = useState<PrincipalId | undefined>();
  const [service, setService] = useState<PrincipalId | undefined>();
  const active = principals.filter((p) => p.status === 'active');
  const a = client ?? active[0]?.name;
  const b = service ?? active.find((p) => p.kind === 'service' && p.name !== a)?.name ?? active.find((p) => p.name !== a)?.name;
  return { client: a, service: b, setClient: (name: string) => setClient(asPrincipalId(name)), setService: (name: string) => setService(asPrincipalId(name)) };
}
