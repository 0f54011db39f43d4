/**
 * The lifecycle verbs of the engine (B2–B8): operator transitions, revocation, rotation,
 * crypto-shredding, principals, the clock, and the audit log's read side. Each verb
 * reads the key records, computes the change with the pure cores (states, dates,
 * revocation), chains its audit entries, and writes change and entries in ONE
 * IndexedDB transaction (`withAudit` + `storage.commitAudited`), retrying when the log
 * or the key moved in between.
 *
 * This module gathers them; each job lives in its own file: simulated-clock.ts,
 * key-events.ts (audit drafts of transitions), key-change.ts (operator transitions),
 * rotation.ts, principals.ts, clock-transitions.ts and audited-export.ts.
 *
 * Common case:
 * ```ts
 * await engine.suspendKey(id, 'investigating');
 * const v2 = await engine.rotateKey(id);               // new primary; v1 decrypts only
 * const fresh = await engine.rewrap(oldCiphertext);    // re-encrypted under v2
 * const check = await engine.verifyAuditLog();         // { ok: true, … } or where it broke
 * ```
 */
export * from './simulated-clock';
export { transitionDraft, type CertificateCascadeStep, type PrepareCascade } from './key-events';
export * from './key-change';
export * from './rotation';
export * from './principals';
export * from './clock-transitions';
export * from './audited-export';
