// The walkthrough pages (F2): a step opened directly runs on its namespace engine and
// shows that engine's data; Back/Next/reset work by keyboard; the data renderers label
// every part; the index lists every walkthrough.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../engine/internal/bytes';
import { WALKTHROUGHS } from './index';
import { kdcSymmetric } from './kdc-symmetric';
import { keyLife } from './key-life';
import { storageNamespace } from './namespace';
import { createRunner, type WalkthroughRunner } from './runner';
import { StepDatumView } from './step-data-view';
import { WalkthroughStepPage } from './step-page';
import type { Walkthrough } from './types';
import { WalkthroughsPage } from './walkthroughs-page';
import { expectShown } from '../../testing/dom';
import { testKeyId } from '../../testing/ids';

const runners: WalkthroughRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.reset();
});

function runnerOf(w: Walkthrough) {
  const r = createRunner(w, storageNamespace(`clavis-test-wt-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`));
  runners.push(r);
  return r;
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

describe('walkthrough step page', () => {
  it('F2: a step opened directly rebuilds steps 0…n and shows the engine’s own data, explanation, standard and changes', async () => {
    const runner = runnerOf(kdcSymmetric);
    const navigate = vi.fn();
    render(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={2} navigate={navigate} runner={runner} />);
    // Rebuilding three steps on a busy machine can take longer than findBy's default second.
    await screen.findByRole('heading', { name: 'What the engine returned' });
    expectShown(screen.getByRole('heading', { level: 1, name: kdcSymmetric.title }));
    expectShown(screen.getByRole('heading', { level: 2, name: 'Step 3 of 10: The KDC issues the key and a ticket' }));
    expect(runner.snapshot().results).toHaveLength(3);
    const ticket = screen.getByRole('region', { name: 'Ticket id' });
    expectShown(within(ticket).getByText(runner.state().ticketId as string));
    expectShown(screen.getByText(kdcSymmetric.steps[2]!.standard));
    expectShown(screen.getByRole('heading', { name: 'What changed' }));
    expectShown(screen.getByText(new RegExp(`ticket ${runner.state().ticketId as string}`)));
    // The sequence diagram has a text form; this step's message is marked.
    expectShown(screen.getByRole('img', { name: /Sequence diagram: alice, KDC, bob/ }));
    expectShown(screen.getByText('(this step)', { exact: false }));
    // The step list marks the current step; the step's own link is shown.
    const steps = screen.getByRole('navigation', { name: 'Steps of this walkthrough' });
    expect(within(steps).getByRole('link', { current: 'step' }).getAttribute('href')).toBe('#/walkthroughs/kdc-symmetric/2');
    expectShown(screen.getByText(/#\/walkthroughs\/kdc-symmetric\/2$/));
  });

  it('F2: Back and Next work from the keyboard and go to the neighbouring step URLs', async () => {
    const runner = runnerOf(kdcSymmetric);
    const navigate = vi.fn();
    const user = userEvent.setup();
    render(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={0} navigate={navigate} runner={runner} />);
    await screen.findByRole('region', { name: 'KCV of K_alice' });
    expect((screen.getByRole('button', { name: 'Back' }) as HTMLButtonElement).disabled).toBe(true);
    const next = screen.getByRole('button', { name: 'Next' });
    next.focus();
    await user.keyboard('{Enter}');
    expect(navigate).toHaveBeenCalledWith('#/walkthroughs/kdc-symmetric/1');
  });

  it('F2: Next runs only the next step; the last step links back to the index', async () => {
    const runner = runnerOf(kdcSymmetric);
    const { rerender } = render(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={0} navigate={() => {}} runner={runner} />);
    await screen.findByRole('region', { name: 'KCV of K_alice' });
    const gen = runner.snapshot().generation;
    rerender(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={1} navigate={() => {}} runner={runner} />);
    await screen.findByRole('heading', { name: 'Step 2 of 10: Alice asks for a session key' });
    await waitFor(() => expect(runner.snapshot().results).toHaveLength(2));
    expect(runner.snapshot().generation).toBe(gen);
    rerender(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={9} navigate={() => {}} runner={runner} />);
    await screen.findByRole('region', { name: 'bob holds the session key alice sent' });
    expectShown(screen.getByRole('link', { name: 'All walkthroughs' }));
    expect(screen.queryByRole('button', { name: 'Next' })).toBeNull();
  });

  it('F2: reset deletes the walkthrough’s database only and offers to start again', async () => {
    const runner = runnerOf(kdcSymmetric);
    const user = userEvent.setup();
    render(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={1} navigate={() => {}} runner={runner} />);
    await screen.findByRole('heading', { name: 'What the engine returned' });
    expect(await databaseNames()).toContain(runner.namespace.name);
    await user.click(screen.getByRole('button', { name: 'Reset this walkthrough' }));
    await screen.findByText(/This walkthrough’s data was deleted/);
    expect(await databaseNames()).not.toContain(runner.namespace.name);
    expect(screen.queryByRole('heading', { name: 'What the engine returned' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Start again from step 1' }));
    await waitFor(() => expect(runner.snapshot().results.length).toBeGreaterThan(0));
  });

  it('F2: after "Delete all walkthrough data", a step opened afterwards rebuilds itself (no empty step with a disabled Next)', async () => {
    const runner = runnerOf(kdcSymmetric);
    await runner.ensure(1);
    await runner.reset(); // what the index page's reset does to every runner
    expect(runner.snapshot().cleared).toBe(true);
    render(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={1} navigate={() => {}} runner={runner} />);
    await screen.findByRole('heading', { name: 'What the engine returned' });
    expect(runner.snapshot().results).toHaveLength(2);
    expect((screen.getByRole('button', { name: /Next/ }) as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByRole('button', { name: 'Start again from step 1' })).toBeNull();
  });

  it('F2: lifecycle steps draw the key’s state through the app’s diagram, with the transition as text', async () => {
    const runner = runnerOf(keyLife);
    const draw = vi.fn((state: string, from?: string) => <p>{`diagram ${from ?? ''}>${state}`}</p>);
    render(<WalkthroughStepPage walkthroughId="key-life" step={1} navigate={() => {}} runner={runner} lifecycleDiagram={draw} />);
    await screen.findByText('diagram pre-activation>active');
    expectShown(screen.getByText('pre-activation'));
    expect(draw).toHaveBeenCalledWith('active', 'pre-activation');
  });

  it('F2: a failing step shows the engine’s error and can be rebuilt', async () => {
    let fail = true;
    const w: Walkthrough = {
      id: 'failing-page',
      title: 'Failing',
      summary: '',
      covers: '',
      steps: [
        {
          id: 'a',
          title: 'Only step',
          explain: 'x',
          standard: 'y',
          run: async ({ engine }) => {
            if (fail) await engine.getKey(testKeyId('missing'));
            return { result: { diagram: { kind: 'none' }, data: [{ kind: 'text', label: 'done', value: 'yes' }], changes: [] } };
          },
        },
      ],
    };
    const runner = runnerOf(w);
    const user = userEvent.setup();
    render(<WalkthroughStepPage walkthroughId="failing-page" step={0} navigate={() => {}} runner={runner} />);
    expect((await screen.findByRole('alert')).textContent).toContain('KEY_NOT_FOUND');
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Rebuild from scratch' }));
    await screen.findByRole('region', { name: 'done' });
  });

  it('F2: an unknown walkthrough or step says so', () => {
    render(<WalkthroughStepPage walkthroughId="nope" step={0} navigate={() => {}} />);
    expectShown(screen.getByRole('heading', { name: 'Walkthrough not found' }));
  });
});

describe('walkthrough data renderers', () => {
  it('F2: hex segments carry their labels and lengths; checks say Yes/No in words', () => {
    render(
      <>
        <StepDatumView datum={{ kind: 'hex', label: 'Envelope', segments: [{ label: 'IV', hex: '00'.repeat(12) }, { label: 'tag', hex: 'ff'.repeat(16) }] }} />
        <StepDatumView datum={{ kind: 'check', label: 'Refused', ok: true, detail: 'replay-cache' }} />
        <StepDatumView datum={{ kind: 'check', label: 'Accepted', ok: false, detail: 'the attack succeeded' }} />
      </>,
    );
    const env = screen.getByRole('region', { name: 'Envelope' });
    expect(within(env).getByText('IV', { exact: false }).textContent).toContain('(12 bytes)');
    expect(within(env).getByText('tag', { exact: false }).textContent).toContain('(16 bytes)');
    expect(screen.getByRole('region', { name: 'Refused' }).textContent).toContain('Yes — replay-cache');
    expect(screen.getByRole('region', { name: 'Accepted' }).textContent).toContain('No — the attack succeeded');
  });

  it('F2: ASN.1 DER is decoded into a tree with OIDs named', () => {
    // SEQUENCE { OID 2.5.4.3 (commonName), UTF8String "Clavis" }
    render(<StepDatumView datum={{ kind: 'asn1', label: 'Name', der: '300d0603550403' + '0c06436c61766973' }} />);
    const region = screen.getByRole('region', { name: 'Name' });
    expectShown(within(region).getByText('SEQUENCE'));
    expectShown(within(region).getByText('2.5.4.3 (commonName)'));
    expectShown(within(region).getByText('Clavis'));
  });

  it('F2: field tables have a header row and one row per field', () => {
    render(<StepDatumView datum={{ kind: 'fields', label: 'Ticket', caption: 'AES-GCM under K_bob', fields: [{ name: 'client', value: 'alice', note: 'who' }] }} />);
    const region = screen.getByRole('region', { name: 'Ticket' });
    expectShown(within(region).getByText('AES-GCM under K_bob'));
    expectShown(within(region).getByRole('rowheader', { name: 'client' }));
    expectShown(within(region).getByRole('columnheader', { name: 'Value' }));
  });
});

describe('walkthrough index', () => {
  it('F1: lists every walkthrough with a link to its first step', () => {
    render(<WalkthroughsPage resetAll={async () => {}} />);
    expect(WALKTHROUGHS.map((w) => w.id)).toEqual(['kdc-symmetric', 'certificate-life', 'diffie-hellman', 'key-life', 'replay-attacks']);
    for (const [i, w] of WALKTHROUGHS.entries()) {
      const link = screen.getByRole('link', { name: `${i + 1}. ${w.title}` });
      expect(link.getAttribute('href')).toBe(`#/walkthroughs/${w.id}/0`);
    }
  });

  it('F2: "Delete all walkthrough data" resets the walkthroughs and says the vault was not touched', async () => {
    const resetAll = vi.fn(async () => {});
    const user = userEvent.setup();
    render(<WalkthroughsPage resetAll={resetAll} />);
    await user.click(screen.getByRole('button', { name: 'Delete all walkthrough data' }));
    await screen.findByText(/Your own keys, CAs and KDC were not touched/);
    expect(resetAll).toHaveBeenCalledOnce();
  });
});
