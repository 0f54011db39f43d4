// The exchange slice over a real engine: plain data only in the store (no CryptoKeys, no
// key bytes), errors as { code, message }, an exchange run step by step and messages sent
// under its key (D1–D5).
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { createAppStore } from '../store';
import { exchangeOpNames } from './exchange-slice';
import { assertPlainData } from '../../testing/plain-data';

async function setup() {
  const { engine } = await freshEngine();
  const store = createAppStore(engine, { storageManager: {} });
  return { engine, store, ex: () => store.getState().exchange };
}

describe('exchange slice', () => {
  it('D1: loads curves, runs an unauthenticated exchange step by step, keeps only plain data', async () => {
    const { ex } = await setup();
    await ex().loadSetup();
    expect(ex().setupStatus).toBe('ready');
    expect(ex().curves.map((c) => c.curve)).toEqual(['P-256', 'P-384', 'X25519']);
    const r = await ex().start({ mode: 'unauthenticated', curve: 'P-256', initiator: { name: 'Alice' }, responder: { name: 'Bob' } });
    expect(r.ok).toBe(true);
    expect(ex().view?.steps).toEqual([]);
    await ex().step();
    expect(ex().view?.steps).toHaveLength(1);
    await ex().runToEnd();
    expect(ex().view?.status).toBe('established');
    const sent = await ex().send('initiator', 'hello');
    expect(sent.ok && sent.value.delivered).toEqual({ ok: true, text: 'hello' });
    expect(ex().view?.deliveries).toHaveLength(1);
    assertPlainData(ex().view);
    assertPlainData({ curves: ex().curves, parties: ex().parties });
  });

  it('D3: demo parties, an authenticated exchange with the attacker refused, the failing check in the view', async () => {
    const { ex } = await setup();
    const made = await ex().createDemoParties();
    expect(made.ok).toBe(true);
    expect(ex().parties.map((p) => p.name).sort()).toEqual(['Alice', 'Bob', 'Mallory']);
    const byName = (n: string) => ex().parties.find((p) => p.name === n)!;
    await ex().start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: byName('Alice').certId }, responder: { certId: byName('Bob').certId }, attacker: { mode: 'substitute' } });
    await ex().runToEnd();
    expect(ex().view?.status).toBe('refused');
    expect(ex().view?.failure?.check).toBe('signature');
    const s = await ex().send('initiator', 'x');
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.error.code).toBe('KEY_STATE');
    expect(ex().ops[exchangeOpNames.send]?.status).toBe('error');
    assertPlainData(ex().view);
  });

  it('errors are kept as { code, message }; stepping without an exchange is KEY_STATE', async () => {
    const { ex } = await setup();
    const r = await ex().start({ mode: 'authenticated', curve: 'P-256', initiator: { name: 'A' }, responder: { name: 'B' } });
    expect(r.ok).toBe(false);
    expect(ex().ops[exchangeOpNames.start]?.error?.code).toBe('INVALID_ARGUMENT');
    const s = await ex().step();
    expect(!s.ok && s.error.code).toBe('KEY_STATE');
  });

  it('D4 and D5: the reports are plain data', async () => {
    const { ex } = await setup();
    expect((await ex().runForwardSecrecy({ curve: 'P-256', message: 'm' })).ok).toBe(true);
    expect(ex().forwardSecrecy?.static.recovered).toBe('m');
    expect((await ex().runClassicDh({ p: 23, g: 5, a: 6, b: 15 })).ok).toBe(true);
    expect(ex().classic?.sharedByAlice).toBe('2');
    assertPlainData(ex().forwardSecrecy);
    assertPlainData(ex().classic);
  });
});
