/**
 * The Clavis engine: the one public entry point. Pure TypeScript over WebCrypto and
 * IndexedDB, with no React and no globals: everything it needs is passed to
 * `createEngine`. Keys never leave it: callers hold `KeyInfo` (metadata) and ids.
 *
 * Common case:
 * ```ts
 * const engine = createEngine({ storage: await openStorage() });
 * const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'notes' });
 * const ct = await engine.encryptText(key.id, 'hello');
 * ```
 */
import { systemClock } from './internal/clock';
import { cryptoRandom } from './internal/random';
import { inThreadBulkCipher, type EngineContext } from './keys/context';
import { createFeatureProbe } from './keys/features';
import { TEMPLATES } from './keys/templates';

/** Using a key (encrypt, sign, wrap, derive…) loads with its first use, not with the first page. */
const useModule = () => import('./keys/use');
/** Import and export load with their first use too. */
const transferModule = () => import('./keys/transfer');
import * as vault from './keys/vault';
import * as keyList from './keys/key-list';
import * as batch from './keys/batch';
import type { TemplateName } from './types';
import type { Pki } from './pki';
import type { ExchangeApi } from './exchange';
// Key lifecycle and audit (B1–B8): imports
import * as auditStore from './audit/store';
import { verifyAuditExport } from './audit/export';
import * as lifecycle from './lifecycle/engine';
import { previewCertificateCascade, revokeKeyWithCertificates, revokePrincipalWithCertificates } from './lifecycle/certificates';
// KDC: imports
import type { Kdc } from './kdc';
// Vault lock (issue 16)
import { createLazyVaultLock } from './lock/lazy';

export * from './errors';
export type * from './types';
export { asCaId, asCertId, asKdcKeyId, asKdcRunId, asKeyId, asKeyringId, asPrincipalId, asTicketId } from './ids';
export { TEMPLATES, TEMPLATE_NAMES, isTemplateName } from './keys/templates';
export type { KeyTemplate } from './keys/templates';
export { deleteStorage, openStorage } from './storage/db';
export type { ClavisStorage, OpenStorageOptions } from './storage/db';
export type { GenerateKeysParams, GenerateKeysResult } from './keys/batch';
export { systemClock, fixedClock } from './internal/clock';
export { zipStored, type ZipEntry } from './internal/zip';
// The one bytes module (hex, base64, base64url, UTF-8) and the one PEM codec. The ASN.1 tree
// is a public entry of its own (./asn1.ts) so it loads with the screens that draw it.
export { fromBase64, fromBase64Url, fromHex, fromUtf8, toBase64, toBase64Url, toHex, utf8 } from './internal/bytes';
export { decodePem, encodePem, type PemBlock } from './keys/pem';
/** The subjectAltName extension's OID (from the one OID table): a CSR's requested SANs are shown, its other requested extensions listed as ignored. */
export { subjectAltName as SUBJECT_ALT_NAME_OID } from './internal/oids';
export type { Clock } from './internal/clock';
export type { BulkCipher } from './keys/context';
export type { GenerateKeyParams } from './keys/vault';
export { compareKeys } from './keys/key-list';
export { compareCerts } from './pki/cert-order';
export type { EncryptOptions, DecryptOptions, DecryptTextOptions, DecryptResult, NewKeyLabel, SignatureOptions } from './keys/use';
export type { ImportKeyParams, ProtectedExportFormat, ProtectedExportOptions, PublicExportFormat, PublicTextFormat, SecretExportFormat, SniffedFormat, UnprotectedExportFormat } from './keys/transfer';
// Types only: pkijs (~84 KB gzipped) loads on demand through `engine.pki()`.
export type * from './pki';
// Key lifecycle and audit: public types
export type { AuditEntry, AuditVerification, AuditDamage, AuditHead } from './audit/chain';
export type { AuditExportHeader, AuditExportVerification } from './audit/export';
export type { AuditFilter } from './audit/store';
// Backup and restore (A7): types only; the module loads on demand through `engine.backup()`.
export type { Backup, BackupFile, BackupManifest, NotBackedUp, RestoreChange, RestorePreview, RestoreResult } from './backup';
import type { Backup } from './backup';
export type { CertificateCascade, CertificatePreview } from './lifecycle/certificates';
export { CERTIFICATE_REASON_RULES } from './lifecycle/certificates';
export type { AppliedTransition, PrincipalInfo, PrincipalRevocation, RevokedKey, RevokeKeyOptions, RewrapOptions } from './lifecycle/engine';
export type { LifecycleDates, LifecycleEvent, TransitionCause } from './lifecycle/states';
export type { ScheduledDates } from './lifecycle/transition';
// Named apart from the CA's certificate RevocationReason (a subset), which './pki' exports.
export type { RevocationReason as KeyRevocationReason } from './lifecycle/revocation';
export type { PrincipalRecord } from './storage/schema';
// KDC (C1–C6): public types
// Constants and the refusal type only: the protocol loads on demand through `engine.kdc()`.
export { KDC_ATTACK_NAMES, KdcRefusal, isKdcRefusal, CLOCK_SKEW_MS, DEFAULT_TICKET_LIFETIME_MS } from './kdc/types';
export type * from './kdc/types';
export type { KdcMessageType } from './kdc/codec';
// Key exchange (D1–D5): public types; the module loads on demand through `engine.exchange()`
export type * from './exchange/types';
// Vault lock (issue 16)
export type { LockStatus } from './lock/basics';
export { DEFAULT_IDLE_TIMEOUT_MS, MIN_IDLE_TIMEOUT_MS, MAX_IDLE_TIMEOUT_MS, LOCK_ITERATIONS } from './lock/basics';
export type { ExchangeApi, ExchangeSession, ClassicDhParams, ClassicDhResult, ClassicDhStep, ClassicDhStepId, ForwardSecrecyCurve, ForwardSecrecyReport, ForwardSecrecyRun, ForwardSecrecyValue, ForwardSecrecyValueId, TheftAttempt } from './exchange';

export type { Engine, EngineOptions, TemplateAvailability } from './api';
import type { Engine, EngineOptions } from './api';

/** Builds an engine from its dependencies. Nothing global is read or set. */
export function createEngine(options: EngineOptions): Engine {
  const crypto = options.crypto ?? globalThis.crypto;
  // The app owns the simulated time through setSimulatedTime; every module sees it.
  const realClock = options.clock ?? systemClock;
  const clock = lifecycle.simulatedClock(realClock);
  const random = options.random ?? cryptoRandom(crypto);
  // The lock reads and writes the plain storage; every other module writes through its guard.
  const vaultLock = createLazyVaultLock({ subtle: crypto.subtle, storage: options.storage, random, clock, idleClock: realClock });
  const ctx: EngineContext = {
    crypto,
    subtle: crypto.subtle,
    storage: vaultLock.guard(options.storage),
    lock: vaultLock,
    clock,
    random,
    bulk: options.bulk ?? inThreadBulkCipher(crypto.subtle),
    supports: createFeatureProbe(crypto.subtle),
  };
  let pki: Promise<Pki> | undefined;
  // KDC
  let kdc: Promise<Kdc> | undefined;
  let backup: Promise<Backup> | undefined;
  // Key exchange
  let exchange: Promise<ExchangeApi> | undefined;
  // The CA signs, revokes and publishes at real time only: a CRL or certificate dated by
  // the simulated clock would be trusted (or refused) by real time afterwards (issue 14 #5).
  // It still verifies and shows status at the engine's (possibly simulated) time.
  const loadPki = () => (pki ??= import('./pki').then((m) => m.createPki({ ...ctx, clock: realClock, viewClock: clock })));
  return {
    pki: loadPki,
    onChange: (l) => ctx.storage.onChange(l),
    hasCertificateAuthorities: async () => (await ctx.storage.listCas()).length > 0,
    // Key exchange
    exchange: () => (exchange ??= import('./exchange').then((m) => m.createExchange(ctx, loadPki))),
    listTemplates: async () =>
      Promise.all([...TEMPLATES.values()].map(async (template) => ({ template, available: await ctx.supports(template.name as TemplateName) }))),
    generateKey: (p) => vault.generateKey(ctx, p),
    generateKeys: (p) => batch.generateKeys(ctx, p),
    listKeys: (f) => vault.listKeys(ctx, f),
    listKeysNewest: (limit) => keyList.listKeysNewest(ctx, limit),
    keyChunks: (size) => keyList.keyChunks(ctx, size),
    getKey: (id) => vault.getKeyInfo(ctx, id),
    renameKey: (id, name) => vault.renameKey(ctx, id, name),
    deleteKey: (id) => vault.deleteKey(ctx, id),
    encrypt: async (id, pt, o) => (await useModule()).encrypt(ctx, id, pt, o),
    decrypt: async (ct, o) => (await useModule()).decrypt(ctx, ct, o),
    encryptText: async (id, t, o) => (await useModule()).encryptText(ctx, id, t, o),
    decryptText: async (a, o) => (await useModule()).decryptText(ctx, a, o),
    sign: async (id, d, o) => (await useModule()).sign(ctx, id, d, o),
    verify: async (id, d, s, o) => (await useModule()).verify(ctx, id, d, s, o),
    wrapKey: async (w, t) => (await useModule()).wrapKey(ctx, w, t),
    unwrapKey: async (w, b, l) => (await useModule()).unwrapKey(ctx, w, b, l),
    deriveKey: async (p, peer, l) => (await useModule()).deriveKey(ctx, p, peer, l),
    encapsulate: async (id, l) => (await useModule()).encapsulate(ctx, id, l),
    decapsulate: async (id, c, l) => (await useModule()).decapsulate(ctx, id, c, l),
    exportPublicKey: async (id, f) => (await transferModule()).exportPublicKey(ctx, id, f),
    exportPublicKeyDer: async (id) => (await transferModule()).exportPublicKeyDer(ctx, id),
    exportKey: (id, o) => lifecycle.exportKeyAudited(ctx, id, o?.format, async () => (await transferModule()).exportKey(ctx, id, o)),
    dangerouslyExportUnprotectedKey: (id, f) => lifecycle.exportKeyAudited(ctx, id, f, async () => (await transferModule()).dangerouslyExportUnprotectedKey(ctx, id, f)),
    dangerouslyExportRawSecret: (id) => lifecycle.exportKeyAudited(ctx, id, 'raw', async () => (await transferModule()).dangerouslyExportRawSecret(ctx, id)),
    importKey: async (p) => (await transferModule()).importKey(ctx, p),
    sniffKeyFormat: async (d) => (await transferModule()).sniffKeyFormat(d),

    // Key lifecycle and audit
    activateKey: (id) => lifecycle.activateKey(ctx, id),
    suspendKey: (id, r) => lifecycle.suspendKey(ctx, id, r),
    resumeKey: (id, r) => lifecycle.resumeKey(ctx, id, r),
    deactivateKey: (id, r) => lifecycle.deactivateKey(ctx, id, r),
    // The key, its certificates and their audit entries change in one transaction; then one CRL per CA (issue 14).
    revokeKey: (id, r, o) => revokeKeyWithCertificates(ctx, loadPki, id, r, o),
    previewKeyRevocation: (id, r) => previewCertificateCascade(ctx, [id], r),
    compromiseKey: (id, o) => revokeKeyWithCertificates(ctx, loadPki, id, 'keyCompromise', o),
    destroyKey: (id, r) => lifecycle.destroyKey(ctx, id, r),
    rotateKey: (id) => lifecycle.rotateKey(ctx, id),
    listKeyring: (id) => lifecycle.listKeyring(ctx, id),
    rewrap: (c, o) => lifecycle.rewrap(ctx, c, o),
    setKeyDates: (id, d) => lifecycle.setKeyDates(ctx, id, d),
    listRevokedKeys: () => lifecycle.listRevokedKeys(ctx),
    revokePrincipal: (o, r) => revokePrincipalWithCertificates(ctx, loadPki, o, r),
    reinstatePrincipal: (o) => lifecycle.reinstatePrincipal(ctx, o),
    listPrincipals: () => lifecycle.listPrincipals(ctx),
    applyDueTransitions: () => lifecycle.applyDueTransitions(ctx),
    nextDueAt: () => lifecycle.nextDueAt(ctx),
    now: () => clock.now(),
    setSimulatedTime: async (ms) => {
      clock.set(ms);
      return lifecycle.applyDueTransitions(ctx);
    },
    keyUsage: async (id) => (await useModule()).keyUsage(ctx, id),
    listAuditEntries: (f) => auditStore.listAuditEntries(ctx, f),
    auditCount: async () => (await ctx.storage.getAuditHead())?.seq ?? 0,
    verifyAuditLog: () => auditStore.verifyStoredAuditLog(ctx),
    exportAuditLog: () => auditStore.exportAuditLog(ctx),
    verifyAuditExport: (text) => verifyAuditExport(ctx.subtle, text),
    auditKeyFingerprint: () => auditStore.auditKeyFingerprint(ctx),
    backup: () => (backup ??= import('./backup').then((m) => m.createBackupModule(ctx))),
    // KDC
    kdc: () => (kdc ??= import('./kdc').then((m) => m.createKdc(ctx))),
    // Vault lock
    lockStatus: () => vaultLock.status(),
    enableLock: (p, o) => vaultLock.enable(p, o),
    unlock: (p) => vaultLock.unlock(p),
    lock: () => vaultLock.lock(),
    disableLock: (p) => vaultLock.disable(p),
    changeLockPassphrase: (o, n) => vaultLock.changePassphrase(o, n),
    setLockTimeout: (ms) => vaultLock.setIdleTimeout(ms),
    noteLockActivity: () => vaultLock.noteActivity(),
    onLockChange: (l) => vaultLock.onChange(l),
  };
}
