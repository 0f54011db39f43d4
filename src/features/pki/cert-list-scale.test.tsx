// E10 at scale: 10,000 certificates render a bounded number of rows, and the search finds one.
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CertInfo } from '../../engine';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { CertListPage } from './cert-list-page';
import { testCertId } from '../../testing/ids';

const N = 10_000;

describe('CertListPage at 10,000 certificates', () => {
  it('renders a bounded window of rows with the full row count, and search narrows to one', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    await pki.createRootCa({ name: 'Root', subject: { CN: 'Scale Root' } });
    const view = await renderWithEngine(<CertListPage />, { engine });
    await screen.findByRole('table', { name: 'Issued certificates' });
    const model = (await pki.listCertificates())[0]!;
    // Plain metadata records, as the store holds them after loading a 10k inventory.
    const certs: CertInfo[] = Array.from({ length: N }, (_, i) => ({
      ...model,
      id: testCertId(`${i}`),
      subject: `CN=host${i}.scale.test`,
      serialHex: i.toString(16).padStart(34, '0'),
      profile: 'tls-server',
      sans: { dns: [`host${i}.scale.test`], ip: [], email: [], uri: [] },
    }));
    act(() => {
      view.store.setState((s) => ({ ...s, pki: { ...s.pki, certsById: Object.fromEntries(certs.map((c) => [c.id, c])), certIds: certs.map((c) => c.id), certsStatus: 'ready' } }));
    });
    const table = screen.getByRole('table', { name: 'Issued certificates' });
    expect(table.getAttribute('aria-rowcount')).toBe(String(N + 1));
    const rows = table.querySelectorAll('tbody tr[data-row]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(100);
    await view.user.type(screen.getByRole('searchbox', { name: 'Search certificates' }), 'host9999.scale');
    expect(within(table).getAllByRole('link').map((a) => a.textContent)).toEqual(['host9999.scale.test']);
  });
});
