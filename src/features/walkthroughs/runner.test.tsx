// The walkthrough runner and namespaces (F1–F3): steps run in order on a namespace
// engine, a deep link rebuilds from scratch, reset deletes only the namespace database,
// and a run leaves the user's own database byte-for-byte as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { deleteStorage, type Engine } from '../../engine';
import { engineOn } from '../../testing/engine';
import { DB_NAME } from '../../engine/storage/schema';
import { toHex } from '../../engine/internal/bytes';
import { kdcSymmetric } from './kdc-symmetric';
import { keyLife } from './key-life';
import { storageNamespace } from './namespace';
import { replayAttacks } from './replay-attacks';
import { createRunner } from './runner';
import type { StepDatum, StepResult, Walkthrough } from './types';
import { asKeyId } from '../../engine';
import { testKeyId } from '../../testing/ids';

const uniq = () => `clavis-test-wt-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;

type Datum<K extends StepDatum['kind']> = Extract<StepDatum, { kind: K }>;
function datum<K extends StepDatum['kind']>(r: StepResult, kind: K, label: string | RegExp): Datum<K> {
  const d = r.data.find((x) => x.kind === kind && (typeof label === 'string' ? x.label === label : label.test(x.label)));
  if (!d) throw new Error(`no ${kind} datum "${String(label)}" in ${r.data.map((x) => `${x.kind}:${x.label}`).join(', ')}`);
  return d as Datum<K>;
}
const checks = (r: StepResult) => r.data.filter((d): d is Datum<'check'> => d.kind === 'check');

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '').sort();
}

/** Every record of every store of a database, bytes as hex, CryptoKeys described. */
async function dump(name: string): Promise<string> {
  const db = await new Promise<IDBDatabase>((res, rej) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const describe = (v: unknown): unknown => {
    if (v instanceof CryptoKey) return { cryptoKey: v.type, extractable: v.extractable, algorithm: v.algorithm, usages: v.usages };
    if (v instanceof ArrayBuffer) return { bytes: toHex(new Uint8Array(v)) };
    if (ArrayBuffer.isView(v)) return { bytes: toHex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    if (Array.isArray(v)) return v.map(describe);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const store of Array.from(db.objectStoreNames).sort()) {
    out[store] = await new Promise((res, rej) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => res(describe(r.result));
      r.onerror = () => rej(r.error);
    });
  }
  db.close();
  return JSON.stringify(out);
}

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of opened.splice(0)) await f();
});

function runnerOf(w: Walkthrough, name = uniq()) {
  const ns = storageNamespace(name);
  const runner = createRunner(w, ns);
  opened.push(() => runner.reset());
  return runner;
}

/** A walkthrough whose steps count their runs and record the engine they saw. */
function probe() {
  const runs: number[] = [];
  const engines: Engine[] = [];
  const w: Walkthrough = {
    id: 'probe',
    title: 'Probe',
    summary: '',
    covers: '',
    steps: [0, 1, 2, 3].map((i) => ({
      id: `s${i}`,
      title: `Step ${i}`,
      explain: '',
      standard: '',
      async run({ engine, state }) {
        runs.push(i);
        engines.push(engine);
        const key = await engine.generateKey({ template: 'AES-GCM-256', name: `k${i}` });
        return { result: { diagram: { kind: 'none' }, data: [{ kind: 'text', label: 'seen', value: JSON.stringify(state) }], changes: [key.id] }, state: { [`s${i}`]: key.id } };
      },
    })),
  };
  return { w, runs, engines };
}

describe('walkthrough runner', () => {
  it('F1: runs steps in order, passing state forward, and runs each step once when asked twice at once', async () => {
    const { w, runs } = probe();
    const runner = runnerOf(w);
    const [a, b] = await Promise.all([runner.ensure(2), runner.ensure(2)]);
    expect(a).toBe(b);
    expect(runs).toEqual([0, 1, 2]);
    expect(runner.snapshot().results).toHaveLength(3);
    expect(JSON.parse(datum(a, 'text', 'seen').value)).toEqual({ s0: runner.state().s0, s1: runner.state().s1 });
    await runner.ensure(3);
    expect(runs).toEqual([0, 1, 2, 3]);
    // Going back shows the stored result without running anything.
    await runner.ensure(1);
    expect(runs).toEqual([0, 1, 2, 3]);
  });

  it('F2: a deep link rebuilds from scratch: a fresh database, then steps 0…n again', async () => {
    const { w, runs, engines } = probe();
    const runner = runnerOf(w);
    await runner.ensure(3);
    const first = runner.snapshot().generation;
    expect(await runner.engine()!.listKeys()).toHaveLength(4);
    await runner.rebuild(1);
    expect(runs).toEqual([0, 1, 2, 3, 0, 1]);
    expect(engines[4]).not.toBe(engines[0]);
    expect(runner.snapshot().generation).toBe(first + 1);
    expect(runner.snapshot().results).toHaveLength(2);
    // Only the two keys of the rebuilt steps exist: the old run's data is gone.
    expect((await runner.engine()!.listKeys()).map((k) => k.name).sort()).toEqual(['k0', 'k1']);
  });

  it('F2: a failing step is reported with its code; later steps wait for a rebuild', async () => {
    let fail = true;
    const w: Walkthrough = {
      id: 'failing',
      title: 'Failing',
      summary: '',
      covers: '',
      steps: [
        { id: 'a', title: 'A', explain: '', standard: '', run: async () => ({ result: { diagram: { kind: 'none' }, data: [], changes: [] } }) },
        {
          id: 'b',
          title: 'B',
          explain: '',
          standard: '',
          run: async ({ engine }) => {
            if (fail) await engine.getKey(testKeyId('no-such-key'));
            return { result: { diagram: { kind: 'none' }, data: [], changes: [] } };
          },
        },
      ],
    };
    const runner = runnerOf(w);
    await expect(runner.ensure(1)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect(runner.snapshot().failure).toMatchObject({ step: 1, code: 'KEY_NOT_FOUND' });
    await expect(runner.ensure(1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    fail = false;
    await runner.rebuild(1);
    expect(runner.snapshot().failure).toBeUndefined();
    expect(runner.snapshot().results).toHaveLength(2);
    await expect(runner.ensure(2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('F3: reset deletes only the namespace database; the user’s database keeps every record byte for byte', async () => {
    // The user's own vault, under the app's real database name, with a key, a rotated
    // key, a KDC principal and a simulated time of its own.
    const { engine: user, storage: userStorage } = await engineOn(DB_NAME);
    const k = await user.generateKey({ template: 'AES-GCM-256', name: 'my key', owner: 'alice' });
    await user.encryptText(k.id, 'mine');
    await user.rotateKey(k.id);
    await (await user.kdc()).registerPrincipal({ name: 'alice', kind: 'user' });
    const userTime = user.now();
    userStorage.close();
    const before = await dump(DB_NAME);

    const name = uniq();
    const runner = runnerOf(keyLife, name);
    await runner.ensure(keyLife.steps.length - 1);
    const kdcRunner = runnerOf(kdcSymmetric);
    await kdcRunner.ensure(kdcSymmetric.steps.length - 1);
    expect(await databaseNames()).toContain(name);

    await runner.reset();
    await kdcRunner.reset();
    expect(await databaseNames()).not.toContain(name);
    expect(await databaseNames()).toContain(DB_NAME);
    expect(runner.snapshot()).toMatchObject({ results: [], cleared: true });
    expect(await dump(DB_NAME)).toBe(before);

    // The namespace's simulated clock moved years ahead; the user's engine's did not.
    const { engine: again } = await engineOn(DB_NAME);
    expect(Math.abs(again.now() - userTime)).toBeLessThan(3_600_000);
    await deleteStorage('clavis-test-unused');
    await expect(deleteStorage(DB_NAME)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => storageNamespace(DB_NAME)).toThrow(/namespace/);
  });
});

describe('walkthrough 1: a symmetric key through the KDC', () => {
  it('F1 seed 001: the last step derives one wrapping key on both sides, and the session key Alice wraps unwraps at Bob with the same KCV', async () => {
    const runner = runnerOf(kdcSymmetric);
    const last = kdcSymmetric.steps.findIndex((s) => s.id === 'dh-wrap');
    expect(last).toBe(kdcSymmetric.steps.length - 1);
    await runner.ensure(last);
    const r = runner.snapshot().results[last]!;
    const aWrap = datum(r, 'fingerprint', 'KCV of alice’s derived wrapping key').value;
    expect(datum(r, 'fingerprint', 'KCV of bob’s derived wrapping key').value).toBe(aWrap);
    const sent = datum(r, 'fingerprint', 'KCV of K_AB at alice').value;
    expect(datum(r, 'fingerprint', 'KCV of K_AB at bob after unwrapping').value).toBe(sent);
    expect(checks(r).map((c) => c.ok)).toEqual([true, true]);
    // The objects are real keys of the namespace vault: the wrapping key is non-extractable.
    const wrapKeyId = asKeyId(r.objects!.find((o) => o.label === 'alice’s wrapping key')!.id);
    const info = await runner.engine()!.getKey(wrapKeyId);
    expect(info).toMatchObject({ template: 'AES-GCM-256', extractable: false, origin: 'derived' });
  });

  it('F1: runs end to end; the ticket delivered is the one issued; the key verifies and then every use is refused', async () => {
    const runner = runnerOf(kdcSymmetric);
    await runner.ensure(kdcSymmetric.steps.length - 1);
    const r = Object.fromEntries(kdcSymmetric.steps.map((s, i) => [s.id, runner.snapshot().results[i]!]));
    const issued = datum(r.ticket!, 'text', 'Ticket id').value;
    expect(issued).toBe(runner.state().ticketId);
    expect(datum(r.deliver!, 'text', 'Ticket id being delivered').value).toBe(issued);
    expect(r.deliver!.diagram).toMatchObject({ kind: 'sequence', lanes: ['alice', 'KDC', 'bob'] });
    // The engine reports each message by type and names; the walkthrough words it.
    const confirmDiagram = r.confirm!.diagram;
    expect(confirmDiagram.kind === 'sequence' && confirmDiagram.messages.map((m) => m.label).filter((l) => /^\d\. /.test(l))).toEqual([
      '1. alice asks the KDC for a key to talk to bob',
      '2. The KDC answers alice with a session key and a ticket for bob',
      '3. alice presents the ticket and a fresh authenticator to bob',
      '4. bob accepts the ticket and proves it holds the key',
      '5. alice confirms the key back to bob',
    ]);
    expect(checks(r.confirm!).every((c) => c.ok)).toBe(true);
    expect(checks(r.message!).every((c) => c.ok)).toBe(true);
    const kdcKcv = datum(r.verify!, 'fingerprint', 'KCV in the KDC’s record').value;
    expect(datum(r.verify!, 'fingerprint', 'KCV of alice’s copy').value).toBe(kdcKcv);
    expect(datum(r.verify!, 'fingerprint', 'KCV of bob’s copy').value).toBe(kdcKcv);
    expect(datum(r.ticket!, 'fingerprint', 'KCV of K_AB in the KDC’s record').value).toBe(kdcKcv);
    const refused = checks(r.refused!);
    expect(refused).toHaveLength(4);
    expect(refused.every((c) => c.ok)).toBe(true);
    expect(refused.map((c) => c.detail).join(' ')).toContain('key-revoked');
    const kdc = await runner.engine()!.kdc();
    expect((await kdc.listRevokedKeys()).map((k) => k.id)).toEqual([runner.state().keyId]);
  });
});

describe('walkthrough 4: a key’s life', () => {
  it('F1: the key moves pre-activation → active → deactivated … → destroyed (compromised), and the audit chain verifies', async () => {
    const runner = runnerOf(keyLife);
    await runner.ensure(keyLife.steps.length - 1);
    const results = runner.snapshot().results;
    const states = results.map((r) => (r.diagram.kind === 'lifecycle' ? `${r.diagram.from ?? ''}>${r.diagram.state}` : ''));
    expect(states).toEqual([
      '>pre-activation',
      'pre-activation>active',
      '>active',
      'active>deactivated',
      'active>deactivated',
      'deactivated>compromised',
      'deactivated>compromised',
      'compromised>destroyed-compromised',
      '>destroyed-compromised',
    ]);
    for (const r of results) expect(checks(r).every((c) => c.ok), JSON.stringify(checks(r))).toBe(true);
    const env = datum(results[2]!, 'hex', /^Ciphertext envelope/);
    expect(env.segments[0]).toEqual({ label: 'magic "CLV"', hex: '434c56' });
    expect(env.segments.find((s) => s.label.startsWith('key id "'))!.label).toContain(runner.state().v1 as string);
    const engine = runner.engine()!;
    expect((await engine.getKey(asKeyId(String(runner.state().v2)))).state).toBe('destroyed-compromised');
    expect(engine.now()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    expect(datum(results[8]!, 'check', 'Audit chain verifies').ok).toBe(true);
  });
});

describe('walkthrough 5: replay attacks', () => {
  it('F1: the 1978 protocol falls to Denning–Sacco; Clavis refuses every replay, each by a named check', async () => {
    const runner = runnerOf(replayAttacks);
    await runner.ensure(replayAttacks.steps.length - 1);
    const r = Object.fromEntries(replayAttacks.steps.map((s, i) => [s.id, runner.snapshot().results[i]!]));
    const unfixed = checks(r['denning-sacco-1978']!);
    expect(unfixed[0]!.ok).toBe(false);
    expect(unfixed[0]!.label).toContain('the attack succeeded');
    expect(datum(r['replay-at-once']!, 'check', 'Bob refuses the replay').detail).toContain('replay-cache');
    expect(datum(r['replay-later']!, 'check', 'Bob refuses the stale authenticator').detail).toContain('skew');
    const ds = checks(r['denning-sacco-clavis']!);
    expect(ds.every((c) => c.ok)).toBe(true);
    // The engine reports the attack and the checks by id; the walkthrough words them.
    expect(datum(r['denning-sacco-clavis']!, 'text', 'What the attacker tries').value).toBe('The attacker replays a recorded ticket and uses the old, compromised session key to pass as A.');
    expect(ds[0]!.detail).toMatch(/^Stopped by: Ticket not expired \(expiry\)\. \S/);
    expect(ds.map((c) => c.detail).join(' ')).toContain('refused by Authenticator not seen before (replay cache) (replay-cache)');
    expect(ds.map((c) => c.detail).join(' ')).toMatch(/expiry[\s\S]*key-revoked/);
    for (const id of ['old-reply', 'reflection']) {
      const cs = checks(r[id]!);
      expect(cs.some((c) => !c.ok && c.label.includes('attack succeeded'))).toBe(true);
      expect(cs.filter((c) => c.label.startsWith('Clavis') || c.label.startsWith("Clavis's")).every((c) => c.ok)).toBe(true);
    }
    const logged = datum(r.audit!, 'fields', /^Refusals logged/);
    expect(logged.fields.length).toBeGreaterThanOrEqual(6);
    for (const c of ['replay-cache', 'skew', 'expiry', 'key-revoked', 'nonce', 'key-confirmation']) expect(logged.fields.map((f) => f.name).join(' ')).toContain(c);
    expect(datum(r.audit!, 'check', 'Audit chain verifies').ok).toBe(true);
  });
});
