/**
 * Key exchange (D1–D5): ECDH P-256/P-384 and X25519 between two parties, with or
 * without authentication, with or without an attacker in the middle, run one step at a
 * time; a forward-secrecy demonstration; and classic finite-field Diffie–Hellman with
 * small numbers as a teaching aid.
 *
 * Pure TypeScript over WebCrypto. It never imports pkijs or idb: certificates are
 * issued and validated through the CA's verbs (`engine.pki()`), long-term signatures
 * come from vault keys (keys/use), and outcomes go to the audit log. Exchanges live in
 * memory (`ExchangeSession`); nothing of them is stored but the audit entry.
 *
 * Common case:
 * ```ts
 * const ex = await engine.exchange();
 * const [alice, bob] = await ex.createDemoParties();
 * const s = await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: bob.certId } });
 * const view = await s.runToEnd();                 // view.status === 'established'
 * const d = await s.send('initiator', 'hello Bob'); // d.delivered.text === 'hello Bob'
 * ```
 */
import { EngineError } from '../errors';
import { withAudit } from '../audit/store';
import type { EngineContext } from '../keys/context';
import type { AuditDraft } from '../audit/chain';
import { sign } from '../keys/use';
import type { Pki } from '../pki';
import { toHex } from '../internal/bytes';
import { classicDiffieHellman, type ClassicDhParams, type ClassicDhResult } from './classic-dh';
import { forwardSecrecyDemo, type ForwardSecrecyCurve, type ForwardSecrecyReport } from './forward-secrecy';
import { EXCHANGE_CURVES, importPeerKey, requireCurve, type ExchangeCurve } from './peer-key';
import { exchangeParties } from './parties';
import { createSession, type ExchangeSession, type SessionParams } from './session';
import type { AttackerMode, AttackerStrategy, ExchangeParty, StartExchangeParams } from './types';

export type * from './types';
export type { ExchangeSession } from './session';
export type { ClassicDhParams, ClassicDhResult, ClassicDhStep, ClassicDhStepId } from './classic-dh';
export type { DemoParty, ForwardSecrecyCurve, ForwardSecrecyReport, ForwardSecrecyRun, ForwardSecrecyValue, ForwardSecrecyValueId, TheftAttempt } from './forward-secrecy';
export { PeerKeyError, EXCHANGE_CURVES } from './peer-key';

/** The CA the demo parties' certificates come from. */
export const DEMO_CA_NAME = 'Clavis Exchange CA';
/** The demo parties: two honest ones and the attacker. */
export const DEMO_PARTY_NAMES = ['Alice', 'Bob', 'Mallory'] as const;
/** Profile of the parties' certificates (digitalSignature, clientAuth). */
export const PARTY_PROFILE = 'tls-client';

/** The exchange verbs. Every method throws EngineError with a code. */
export interface ExchangeApi {
  /** Each curve with whether this browser offers it (X25519 is feature-detected). */
  curves(): Promise<Array<{ curve: ExchangeCurve; available: boolean }>>;
  /** Certificates that can authenticate a party: TLS client certificates of ECDSA P-256/P-384 vault keys. */
  listParties(): Promise<ExchangeParty[]>;
  /**
   * Makes sure Alice, Bob and Mallory each have an ECDSA P-256 vault key with a valid
   * certificate from the "Clavis Exchange CA" root (created when missing); returns them.
   */
  createDemoParties(): Promise<ExchangeParty[]>;
  /**
   * Starts an exchange in memory; run it with `next()`/`runToEnd()`.
   * @throws INVALID_ARGUMENT (bad parties or options), UNSUPPORTED (curve)
   */
  start(p: StartExchangeParams): Promise<ExchangeSession>;
  /** Imports a peer public key as the exchange would (E4). @throws PeerKeyError */
  checkPeerKey(curve: ExchangeCurve, key: Uint8Array): Promise<{ publicHex: string }>;
  /** Two recorded conversations and the later theft of every long-term key (D4). */
  forwardSecrecyDemo(p: { curve?: ForwardSecrecyCurve; message: string }): Promise<ForwardSecrecyReport>;
  /** Classic finite-field DH with small numbers (D5). A teaching aid only. */
  classicDh(p?: ClassicDhParams): ClassicDhResult;
}

/**
 * Builds the exchange verbs over an engine context; `loadPki` is the engine's lazy `pki()`.
 * `testHooks.wire` (tests only) sees and may replace every message on the wire.
 */
export function createExchange(ctx: EngineContext, loadPki: () => Promise<Pki>, testHooks: { wire?: SessionParams['wire'] } = {}): ExchangeApi {
  const parties = exchangeParties(ctx, loadPki);
  const { setup, verifyChain } = parties;

  return {
    async curves() {
      return Promise.all(
        EXCHANGE_CURVES.map(async (curve) => ({ curve, available: curve === 'X25519' ? await ctx.supports('X25519') : true })),
      );
    },
    listParties: parties.listParties,
    createDemoParties: parties.createDemoParties,
    async start(p) {
      if (!p || typeof p !== 'object') throw new EngineError('INVALID_ARGUMENT', 'exchange: start needs parameters');
      if (p.mode !== 'authenticated' && p.mode !== 'unauthenticated') throw new EngineError('INVALID_ARGUMENT', 'exchange: the mode is authenticated or unauthenticated');
      const curve = await requireCurve(ctx, p.curve);
      const authenticated = p.mode === 'authenticated';
      const pki = authenticated ? await loadPki() : undefined;
      const initiator = await setup(pki, p.initiator, 'initiator', authenticated);
      const responder = await setup(pki, p.responder, 'responder', authenticated);
      if (initiator.name === responder.name) throw new EngineError('INVALID_ARGUMENT', 'exchange: the two parties must have different names');
      const mode: AttackerMode = p.attacker?.mode ?? 'none';
      if (!['none', 'eavesdrop', 'substitute'].includes(mode)) throw new EngineError('INVALID_ARGUMENT', 'exchange: the attacker mode is none, eavesdrop or substitute');
      const strategy: AttackerStrategy | undefined = p.attacker?.strategy;
      if (strategy !== undefined && strategy !== 'relay-signatures' && strategy !== 'own-certificate') throw new EngineError('INVALID_ARGUMENT', 'exchange: the attacker strategy is relay-signatures or own-certificate');
      let attacker: SessionParams['attacker'] = { mode, name: 'Mallory', ...(strategy ? { strategy } : {}) };
      if (p.attacker?.party && mode !== 'none') {
        const a = await setup(pki, p.attacker.party, 'attacker', false);
        attacker = { ...attacker, name: a.name, ...(a.credential ? { credential: a.credential } : {}) };
      }
      if (mode !== 'none' && (attacker.name === initiator.name || attacker.name === responder.name)) throw new EngineError('INVALID_ARGUMENT', 'exchange: the attacker must not be one of the parties');
      return createSession(ctx, { sign: (keyId, data) => sign(ctx, keyId, data, { encoding: 'raw' }), verifyChain, audit: (d) => writeAudit(ctx, d) }, {
        mode: p.mode,
        curve,
        initiator,
        responder,
        attacker,
        ...(testHooks.wire ? { wire: testHooks.wire } : {}),
      });
    },
    async checkPeerKey(curve, key) {
      const c = await requireCurve(ctx, curve);
      const { raw } = await importPeerKey(ctx, c, key);
      return { publicHex: toHex(raw) };
    },
    forwardSecrecyDemo: (p) => forwardSecrecyDemo(ctx, p),
    classicDh: (p) => classicDiffieHellman(ctx.random, p),
  };
}

/** Appends one audit entry in its own transaction. */
export async function writeAudit(ctx: EngineContext, draft: AuditDraft): Promise<void> {
  await withAudit(ctx, async () => ({ drafts: [draft], commit: (audit) => ctx.storage.commitAudited(audit) }));
}
