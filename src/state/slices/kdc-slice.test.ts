// The KDC slice over a real engine: plain data only in the store (no CryptoKey, no key
// bytes, no chat plaintext), errors as { code, message } (C1–C6).
import { describe, expect, it } from 'vitest';
import { asPrincipalId } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { createAppStore } from '../store';
import { kdcOpNames } from './kdc-slice';
import { assertPlainData } from '../../testing/plain-data';

const ALICE = asPrincipalId('alice');
const FILES = asPrincipalId('files');

async function setup() {
  const { engine } = await freshEngine();
  const store = createAppStore(engine, { storageManager: {} });
  return { engine, store, kdc: () => store.getState().kdc };
}

describe('kdc slice', () => {
  it('C1/C2 registers principals, steps a run to confirmation and keeps only plain data', async () => {
    const { kdc, store } = await setup();
    expect((await kdc().registerPrincipal('alice', 'user')).ok).toBe(true);
    expect((await kdc().registerPrincipal('files', 'service')).ok).toBe(true);
    expect(kdc().principals.map((p) => p.name)).toEqual(['alice', 'files']);
    expect((await kdc().startRun(ALICE, FILES)).ok).toBe(true);
    for (let i = 0; i < 5; i++) await kdc().nextStep();
    const run = kdc().run!;
    expect(run.confirmed).toBe(true);
    expect(run.messages).toHaveLength(5);
    expect(kdc().keys).toHaveLength(1);
    const sent = await kdc().sendMessage(run.keyId!, ALICE, 'top secret plan');
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    const got = await kdc().receiveMessage(run.keyId!, FILES, sent.value.hex);
    expect(got).toEqual({ ok: true, value: 'top secret plan' });
    const state = store.getState().kdc;
    const data = { principals: state.principals, keys: state.keys, run: state.run, ops: state.ops, revoked: state.revoked };
    assertPlainData(data);
    expect(JSON.stringify(data)).not.toContain('top secret plan');
  });

  it('C4/C5 revokes a key, runs an attack, and records refusals as { code, message }', async () => {
    const { kdc } = await setup();
    await kdc().registerPrincipal('alice', 'user');
    await kdc().registerPrincipal('files', 'service');
    const attack = await kdc().runAttack('denning-sacco', ALICE, FILES);
    expect(attack.ok && attack.value.clavis.refusedBy).toBe('expiry');
    expect(attack.ok && attack.value.unfixed.succeeded).toBe(true);
    expect(kdc().attack?.attack).toBe('denning-sacco');
    expect(kdc().revoked).toHaveLength(1);
    const id = kdc().revoked[0]!.id;
    const again = await kdc().revokeKey(id, 'keyCompromise');
    expect(again.ok).toBe(false);
    expect(kdc().ops[kdcOpNames.revokeKey(id)]).toMatchObject({ status: 'error', error: { code: 'KEY_STATE' } });
    const bad = await kdc().registerPrincipal('no spaces allowed', 'user');
    expect(!bad.ok && bad.error.code).toBe('INVALID_ARGUMENT');
  });
});
