import { describe, expect, it } from 'vitest';
import { errorCode, freshEngine } from '../../testing/engine';
import { createEngine, fixedClock, openStorage, type Engine, type KeyInfo } from '..';
import type { ClavisStorage } from '../storage/db';
import type { KeyMaterialRecord } from '../storage/schema';
import { DEFAULT_IDLE_TIMEOUT_MS, LOCK_ITERATIONS, LOCK_META_KEY } from './vault-lock';

const PASS = 'correct horse battery';
const OTHER = 'wrong horse battery';

const code = errorCode;

const text = (v: string | Uint8Array) => (typeof v === 'string' ? v : Array.from(v).join(','));

/** A vault with exportable keys of each kind of material, and one non-extractable key. */
async function seeded(engine: Engine) {
  const aes = await engine.generateKey({ template: 'AES-GCM-256', name: 'exportable aes', exportable: true });
  const hmac = await engine.generateKey({ template: 'HMAC-SHA-256', name: 'exportable hmac', exportable: true });
  const ec = await engine.generateKey({ template: 'ECDSA-P-256', name: 'exportable ec', exportable: true });
  const fernet = await engine.generateKey({ template: 'FERNET', name: 'fernet' });
  const fixed = await engine.generateKey({ template: 'AES-GCM-256', name: 'non-extractable' });
  const exportsBefore = {
    aes: text(await engine.dangerouslyExportUnprotectedKey(aes.id, 'jwk')),
    hmac: text(await engine.dangerouslyExportRawSecret(hmac.id)),
    ec: text(await engine.dangerouslyExportUnprotectedKey(ec.id, 'jwk')),
    fernet: text(await engine.dangerouslyExportUnprotectedKey(fernet.id, 'fernet')),
  };
  return { aes, hmac, ec, fernet, fixed, exportable: [aes, hmac, ec, fernet], exportsBefore };
}

async function exportsNow(engine: Engine, s: Awaited<ReturnType<typeof seeded>>) {
  return {
    aes: text(await engine.dangerouslyExportUnprotectedKey(s.aes.id, 'jwk')),
    hmac: text(await engine.dangerouslyExportRawSecret(s.hmac.id)),
    ec: text(await engine.dangerouslyExportUnprotectedKey(s.ec.id, 'jwk')),
    fernet: text(await engine.dangerouslyExportUnprotectedKey(s.fernet.id, 'fernet')),
  };
}

/** The raw `keyMaterial` records as IndexedDB holds them. */
async function rawRecords(storage: ClavisStorage, keys: KeyInfo[]): Promise<KeyMaterialRecord[]> {
  return Promise.all(keys.map(async (k) => (await storage.getKeyMaterial(k.id))!));
}

function extractablePieces(m: KeyMaterialRecord): string[] {
  return (['secret', 'macSecret', 'privateKey'] as const).filter((f) => m[f]?.extractable === true);
}

describe('vault lock (issue 16, seed 002): exportable material kept under a passphrase', () => {
  it('enabling seals every exportable key: the stored records hold no extractable CryptoKey; non-extractable keys are untouched', async () => {
    const { engine, storage } = await freshEngine();
    const s = await seeded(engine);
    const fixedBefore = await storage.getKeyMaterial(s.fixed.id);
    expect((await rawRecords(storage, s.exportable)).every((m) => extractablePieces(m).length > 0)).toBe(true);

    expect(await engine.lockStatus()).toEqual({ state: 'off', idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS });
    const status = await engine.enableLock(PASS);
    expect(status.state).toBe('unlocked');

    for (const m of await rawRecords(storage, s.exportable)) {
      expect(extractablePieces(m)).toEqual([]);
      expect(m.secret ?? m.privateKey ?? m.macSecret).toBeUndefined();
      expect(Object.keys(m.sealed ?? {}).length).toBeGreaterThan(0);
      for (const piece of Object.values(m.sealed!)) expect(piece.ct.length).toBeGreaterThan(16);
    }
    // The public half of a pair stays readable: it is public.
    expect((await storage.getKeyMaterial(s.ec.id))!.publicKey).toBeDefined();
    const fixedAfter = (await storage.getKeyMaterial(s.fixed.id))!;
    expect(fixedAfter.sealed).toBeUndefined();
    expect(fixedAfter.secret!.extractable).toBe(false);
    expect(fixedAfter.secret!.algorithm).toEqual(fixedBefore!.secret!.algorithm);

    // The configuration is salt, iterations, verifier: no passphrase, no key.
    const config = await storage.getMeta<Record<string, unknown>>(LOCK_META_KEY);
    expect(config!.iterations).toBe(LOCK_ITERATIONS);
    expect(LOCK_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(JSON.stringify(config)).not.toContain(PASS);
    expect(Object.values(config!).some((v) => v instanceof CryptoKey)).toBe(false);

    // Unlocked in this tab: exports give the same bytes as before.
    expect(await exportsNow(engine, s)).toEqual(s.exportsBefore);
    const audit = await engine.listAuditEntries({ action: 'vault.lock.enable' });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ sealedKeys: 4 });
    expect(JSON.stringify(audit)).not.toContain(PASS);
  });

  it('lock → exports and uses of exportable keys fail with VAULT_LOCKED; unlock → the same bytes as before enabling', async () => {
    const { engine } = await freshEngine();
    const s = await seeded(engine);
    const ct = await engine.encryptText(s.aes.id, 'kept under the lock');
    const sig = await engine.sign(s.ec.id, new Uint8Array([4, 5, 6]));
    await engine.enableLock(PASS);
    engine.lock();
    expect((await engine.lockStatus()).state).toBe('locked');

    for (const k of s.exportable) expect(await code(engine.dangerouslyExportUnprotectedKey(k.id, k.template === 'FERNET' ? 'fernet' : 'jwk'))).toBe('VAULT_LOCKED');
    expect(await code(engine.exportKey(s.aes.id, { format: 'jwe-pbes2', passphrase: 'a long passphrase' }))).toBe('VAULT_LOCKED');
    expect(await code(engine.decryptText(ct))).toBe('VAULT_LOCKED');
    expect(await code(engine.sign(s.ec.id, new Uint8Array([1, 2, 3])))).toBe('VAULT_LOCKED');
    // Making an exportable key while locked is refused and stores nothing.
    const before = (await engine.listKeys()).length;
    expect(await code(engine.generateKey({ template: 'AES-GCM-256', name: 'new exportable', exportable: true }))).toBe('VAULT_LOCKED');
    expect(await engine.listKeys()).toHaveLength(before);
    // The public half of an exportable pair still exports and verifies (it is public).
    expect(await engine.exportPublicKey(s.ec.id, 'jwk')).toContain('"kty"');
    expect(await engine.verify(s.ec.id, new Uint8Array([4, 5, 6]), sig)).toBe(true);
    expect(await code(engine.verify(s.hmac.id, new Uint8Array([4, 5, 6]), new Uint8Array(32)))).toBe('VAULT_LOCKED');

    await engine.unlock(PASS);
    expect((await engine.lockStatus()).state).toBe('unlocked');
    expect(await exportsNow(engine, s)).toEqual(s.exportsBefore);
    expect(await engine.decryptText(ct)).toBe('kept under the lock');
  });

  it('non-extractable keys keep working while the vault is locked', async () => {
    const { engine } = await freshEngine();
    const s = await seeded(engine);
    const signer = await engine.generateKey({ template: 'ECDSA-P-256', name: 'fixed signer' });
    await engine.enableLock(PASS);
    engine.lock();
    const ct = await engine.encryptText(s.fixed.id, 'no lock needed');
    expect(await engine.decryptText(ct)).toBe('no lock needed');
    const sig = await engine.sign(signer.id, new Uint8Array([9, 9]));
    expect(await engine.verify(signer.id, new Uint8Array([9, 9]), sig)).toBe(true);
    const made = await engine.generateKey({ template: 'AES-GCM-256', name: 'made while locked' });
    expect(made.extractable).toBe(false);
    expect(await code(engine.dangerouslyExportUnprotectedKey(s.fixed.id, 'jwk'))).toBe('NOT_EXTRACTABLE');
  });

  it('a wrong passphrase is WRONG_PASSPHRASE, is audited without the passphrase, and changes nothing', async () => {
    const { engine, storage } = await freshEngine();
    const s = await seeded(engine);
    await engine.enableLock(PASS);
    engine.lock();
    const configBefore = await storage.getMeta(LOCK_META_KEY);
    const recordsBefore = await rawRecords(storage, s.exportable);

    expect(await code(engine.unlock(OTHER))).toBe('WRONG_PASSPHRASE');
    expect((await engine.lockStatus()).state).toBe('locked');
    expect(await code(engine.disableLock(OTHER))).toBe('WRONG_PASSPHRASE');
    expect(await code(engine.changeLockPassphrase(OTHER, 'a brand new passphrase'))).toBe('WRONG_PASSPHRASE');
    expect(await code(engine.unlock(''))).toBe('INVALID_ARGUMENT');

    expect(await storage.getMeta(LOCK_META_KEY)).toEqual(configBefore);
    const recordsAfter = await rawRecords(storage, s.exportable);
    expect(recordsAfter.map((m) => m.sealed)).toEqual(recordsBefore.map((m) => m.sealed));
    expect((await engine.lockStatus()).state).toBe('locked');
    const refused = await engine.listAuditEntries({ action: 'vault.lock.refused' });
    expect(refused.map((e) => e.details)).toEqual([
      { attempted: 'unlock', reason: 'wrong passphrase' },
      { attempted: 'disable', reason: 'wrong passphrase' },
      { attempted: 'change-passphrase', reason: 'wrong passphrase' },
    ]);
    expect(JSON.stringify(await engine.listAuditEntries())).not.toContain(OTHER);
    // The right passphrase still opens everything.
    await engine.unlock(PASS);
    expect(await exportsNow(engine, s)).toEqual(s.exportsBefore);
  });

  it('disable → the records are plain extractable CryptoKeys again, with the same bytes', async () => {
    const { engine, storage } = await freshEngine();
    const s = await seeded(engine);
    await engine.enableLock(PASS);
    engine.lock();
    expect(await engine.disableLock(PASS)).toEqual({ state: 'off', idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS });
    for (const m of await rawRecords(storage, s.exportable)) {
      expect(m.sealed).toBeUndefined();
      expect(extractablePieces(m).length).toBeGreaterThan(0);
    }
    expect(await storage.getMeta(LOCK_META_KEY)).toBeUndefined();
    expect(await exportsNow(engine, s)).toEqual(s.exportsBefore);
    expect(await engine.listAuditEntries({ action: 'vault.lock.disable' })).toHaveLength(1);
  });

  it('a reload starts locked; keys made while unlocked are stored sealed', async () => {
    const { engine, storage, dbName } = await freshEngine();
    await engine.enableLock(PASS);
    const made = await engine.generateKey({ template: 'AES-GCM-256', name: 'made while unlocked', exportable: true });
    const imported = await engine.importKey({ data: new Uint8Array(32).fill(7), name: 'imported raw', template: 'HMAC-SHA-256', exportable: true });
    for (const m of await rawRecords(storage, [made, imported])) {
      expect(extractablePieces(m)).toEqual([]);
      expect(m.sealed?.secret).toBeDefined();
    }
    const jwk = text(await engine.dangerouslyExportUnprotectedKey(made.id, 'jwk'));
    // A new engine over the same database: a reloaded tab.
    const reloaded = createEngine({ storage: await openStorage({ name: dbName }) });
    expect((await reloaded.lockStatus()).state).toBe('locked');
    expect(await code(reloaded.dangerouslyExportUnprotectedKey(made.id, 'jwk'))).toBe('VAULT_LOCKED');
    await reloaded.unlock(PASS);
    expect(text(await reloaded.dangerouslyExportUnprotectedKey(made.id, 'jwk'))).toBe(jwk);
    expect(Array.from(await reloaded.dangerouslyExportRawSecret(imported.id))).toEqual(new Array(32).fill(7));
  });

  it('RSA, Ed25519 and X25519 exportable pairs come back from the seal as the same keys', async () => {
    const { engine, storage } = await freshEngine();
    const names = ['RSA-PSS-2048', 'RSA-OAEP-2048', 'Ed25519', 'X25519', 'ECDH-P-384'] as const;
    const keys: KeyInfo[] = [];
    for (const template of names) {
      if ((await engine.listTemplates()).find((t) => t.template.name === template)?.available) keys.push(await engine.generateKey({ template, name: template, exportable: true }));
    }
    expect(keys.length).toBeGreaterThanOrEqual(3);
    const before = await Promise.all(keys.map(async (k) => text(await engine.dangerouslyExportUnprotectedKey(k.id, 'jwk'))));
    await engine.enableLock(PASS);
    for (const m of await rawRecords(storage, keys)) expect(extractablePieces(m)).toEqual([]);
    engine.lock();
    await engine.unlock(PASS);
    expect(await Promise.all(keys.map(async (k) => text(await engine.dangerouslyExportUnprotectedKey(k.id, 'jwk'))))).toEqual(before);
    const pss = keys.find((k) => k.template === 'RSA-PSS-2048')!;
    const sig = await engine.sign(pss.id, new Uint8Array([1]));
    expect(await engine.verify(pss.id, new Uint8Array([1]), sig)).toBe(true);
  });

  it('rotation and batch generation seal their new exportable keys while unlocked, and are refused while locked', async () => {
    const { engine, storage } = await freshEngine();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'to rotate', exportable: true });
    await engine.enableLock(PASS);
    const v2 = await engine.rotateKey(k.id);
    expect(v2.extractable).toBe(true);
    const batch = await engine.generateKeys({ template: 'HMAC-SHA-256', names: ['b1', 'b2'], exportable: true });
    const made = [v2, ...batch.keys];
    expect(made).toHaveLength(3);
    for (const m of await rawRecords(storage, made)) {
      expect(extractablePieces(m)).toEqual([]);
      expect(m.sealed?.secret).toBeDefined();
    }
    engine.lock();
    expect(await code(engine.rotateKey(v2.id))).toBe('VAULT_LOCKED');
    expect(await code(engine.generateKeys({ template: 'HMAC-SHA-256', names: ['b3'], exportable: true }))).toBe('VAULT_LOCKED');
    expect((await engine.listKeyring(k.id)).map((x) => x.version)).toEqual([1, 2]);
  });

  it('a tab that planned a plain exportable key before another tab turned the lock on stores nothing plain', async () => {
    const { engine: tabA, storage, dbName } = await freshEngine();
    const tabB = createEngine({ storage: await openStorage({ name: dbName }) });
    expect((await tabB.lockStatus()).state).toBe('off');
    await tabA.enableLock(PASS);
    expect(await code(tabB.generateKey({ template: 'AES-GCM-256', name: 'from tab B', exportable: true }))).toBe('VAULT_LOCKED');
    await tabB.unlock(PASS);
    const k = await tabB.generateKey({ template: 'AES-GCM-256', name: 'from tab B', exportable: true });
    expect(extractablePieces((await storage.getKeyMaterial(k.id))!)).toEqual([]);
  });

  it('change passphrase re-seals every key: the old passphrase stops working, the new one gives the same bytes', async () => {
    const { engine, storage } = await freshEngine();
    const s = await seeded(engine);
    await engine.enableLock(PASS);
    const before = await rawRecords(storage, s.exportable);
    await engine.changeLockPassphrase(PASS, 'a brand new passphrase');
    const after = await rawRecords(storage, s.exportable);
    after.forEach((m, i) => expect(m.sealed).not.toEqual(before[i]!.sealed));
    engine.lock();
    expect(await code(engine.unlock(PASS))).toBe('WRONG_PASSPHRASE');
    await engine.unlock('a brand new passphrase');
    expect(await exportsNow(engine, s)).toEqual(s.exportsBefore);
    expect(await code(engine.changeLockPassphrase('a brand new passphrase', 'short'))).toBe('INVALID_ARGUMENT');
  });

  it('the idle timeout locks the vault on the injected clock; use and activity restart it', async () => {
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const { engine } = await freshEngine({ clock });
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'k', exportable: true });
    const enabled = await engine.enableLock(PASS);
    expect(enabled.locksAt).toBe(clock.now() + DEFAULT_IDLE_TIMEOUT_MS);

    clock.advance(DEFAULT_IDLE_TIMEOUT_MS - 1);
    await engine.dangerouslyExportUnprotectedKey(k.id, 'jwk'); // a use restarts the timeout
    clock.advance(DEFAULT_IDLE_TIMEOUT_MS - 1);
    engine.noteLockActivity(); // so does the user's activity
    clock.advance(DEFAULT_IDLE_TIMEOUT_MS - 1);
    expect((await engine.lockStatus()).state).toBe('unlocked');

    const seen: string[] = [];
    engine.onLockChange((st) => seen.push(st.state));
    clock.advance(1);
    expect((await engine.lockStatus()).state).toBe('locked');
    expect(seen).toEqual(['locked']);
    expect(await code(engine.dangerouslyExportUnprotectedKey(k.id, 'jwk'))).toBe('VAULT_LOCKED');
    engine.noteLockActivity(); // activity after the timeout does not unlock
    expect((await engine.lockStatus()).state).toBe('locked');

    // A shorter timeout, set while unlocked.
    expect(await code(engine.setLockTimeout(5 * 60_000))).toBe('VAULT_LOCKED');
    await engine.unlock(PASS);
    expect(await code(engine.setLockTimeout(1000))).toBe('INVALID_ARGUMENT');
    const st = await engine.setLockTimeout(5 * 60_000);
    expect(st).toEqual({ state: 'unlocked', idleTimeoutMs: 5 * 60_000, locksAt: clock.now() + 5 * 60_000 });
    clock.advance(5 * 60_000);
    expect((await engine.lockStatus()).state).toBe('locked');
    expect((await engine.lockStatus()).idleTimeoutMs).toBe(5 * 60_000);
  });

  it('a failure inside the enabling transaction leaves the vault as it was', async () => {
    const { storage, dbName } = await freshEngine();
    let injected = 0;
    // A storage whose lock commit carries one record IndexedDB cannot clone: the
    // transaction fails after the other records were queued.
    const failing: ClavisStorage = {
      ...storage,
      commitAudited: (c) => {
        if (!c.putMaterial?.length) return storage.commitAudited(c);
        injected++;
        const bad = { ...c.putMaterial[0]!, poison: () => 'not cloneable' } as unknown as KeyMaterialRecord;
        return storage.commitAudited({ ...c, putMaterial: [...c.putMaterial, bad] });
      },
    };
    const engine = createEngine({ storage: failing });
    const s = await seeded(engine);
    const auditBefore = await engine.auditCount();
    const recordsBefore = await rawRecords(storage, s.exportable);

    expect(await code(engine.enableLock(PASS))).toBe('STORAGE');
    expect(injected).toBe(1);
    expect(await storage.getMeta(LOCK_META_KEY)).toBeUndefined();
    const recordsAfter = await rawRecords(storage, s.exportable);
    recordsAfter.forEach((m, i) => {
      expect(m.sealed).toBeUndefined();
      expect(extractablePieces(m)).toEqual(extractablePieces(recordsBefore[i]!));
    });
    expect(await engine.auditCount()).toBe(auditBefore);
    expect((await engine.lockStatus()).state).toBe('off');
    const again = createEngine({ storage: await openStorage({ name: dbName }) });
    expect(await exportsNow(again, s)).toEqual(s.exportsBefore);
  });

  it('a failure while sealing (before the transaction) writes nothing', async () => {
    const { storage } = await freshEngine();
    let wraps = 0;
    const subtle = new Proxy(crypto.subtle, {
      get(target, prop) {
        if (prop === 'wrapKey') {
          return (...args: Parameters<SubtleCrypto['wrapKey']>) => {
            if (++wraps === 3) return Promise.reject(new DOMException('injected failure', 'OperationError'));
            return target.wrapKey(...args);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const cryptoWithFailure = { getRandomValues: (a: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(a), randomUUID: () => crypto.randomUUID(), subtle } as unknown as Crypto;
    const engine = createEngine({ storage, crypto: cryptoWithFailure });
    const s = await seeded(engine);
    expect(await code(engine.enableLock(PASS))).toBe('UNSUPPORTED');
    expect(wraps).toBe(3);
    expect(await storage.getMeta(LOCK_META_KEY)).toBeUndefined();
    for (const m of await rawRecords(storage, s.exportable)) expect(m.sealed).toBeUndefined();
    expect(await exportsNow(engine, s)).toEqual(s.exportsBefore);
  });

  it('refuses bad requests with typed errors', async () => {
    const { engine } = await freshEngine();
    expect(await code(engine.enableLock('short'))).toBe('INVALID_ARGUMENT');
    expect(await code(engine.enableLock(PASS, { idleTimeoutMs: 10 }))).toBe('INVALID_ARGUMENT');
    expect(await code(engine.unlock(PASS))).toBe('INVALID_ARGUMENT');
    expect(await code(engine.disableLock(PASS))).toBe('INVALID_ARGUMENT');
    await engine.enableLock(PASS);
    expect(await code(engine.enableLock(PASS))).toBe('INVALID_ARGUMENT');
  });
});
