/**
 * The key distribution center slice (C1–C6): principals, distributed and revoked keys,
 * the current protocol run, attack reports, and every KDC verb the screens offer. Each
 * action records `{ status, error }` under a name in `ops` and returns a `Result`.
 *
 * What is stored: principal and key metadata, protocol runs (message headers, decoded
 * non-secret fields and ciphertext bytes as hex), attack reports. What is never stored:
 * CryptoKeys, key bytes, chat plaintext — chat messages go back to the calling view only.
 */
import type { StoreApi } from 'zustand/vanilla';
import {
  fromHex,
  type AttackReport,
  type DistributedKeyInfo,
  type Engine,
  type Kdc,
  type KdcAttackName,
  type KdcKeyId,
  type KdcPrincipalInfo,
  type KdcPrincipalKind,
  type KdcProtocolRun,
  type KeyRevocationReason,
  type PrincipalId,
  type RevokedDistributedKey,
  type VerifyKeyResult,
  type WireMessage,
} from '../../engine';
import type { OpStatus, Result } from '../types';
import { runOp } from './run-op';

/** Names of operations in `ops`. */
export const kdcOpNames = {
  refresh: 'kdc-refresh',
  register: 'kdc-register',
  principal: (name: string) => `kdc-principal:${name}`,
  start: 'kdc-start',
  step: 'kdc-step',
  send: 'kdc-send',
  verify: (id: string, holder: string) => `kdc-verify:${id}:${holder}`,
  revokeKey: (id: string) => `kdc-revoke:${id}`,
  attack: 'kdc-attack',
} as const;

/** A sealed chat message as the view keeps it (ciphertext only). */
export interface SentMessage {
  keyId: KdcKeyId;
  from: PrincipalId;
  to: PrincipalId;
  /** The exact bytes sent, hex. */
  hex: string;
  wire: WireMessage;
}

export interface KdcSlice {
  principals: KdcPrincipalInfo[];
  keys: DistributedKeyInfo[];
  revoked: RevokedDistributedKey[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** The protocol run on the Distribution screen. */
  run: KdcProtocolRun | null;
  /** The latest attack report. */
  attack: AttackReport | null;
  ops: Record<string, OpStatus>;

  refresh(): Promise<void>;
  registerPrincipal(name: string, kind: KdcPrincipalKind): Promise<Result<KdcPrincipalInfo>>;
  suspendPrincipal(name: PrincipalId, reason?: string): Promise<Result<KdcPrincipalInfo>>;
  revokePrincipal(name: PrincipalId, reason: KeyRevocationReason): Promise<Result<KdcPrincipalInfo>>;
  reinstatePrincipal(name: PrincipalId): Promise<Result<KdcPrincipalInfo>>;
  /** D5: a new long-term key version; old tickets stay good until they could expire. */
  rotatePrincipalKey(name: PrincipalId): Promise<Result<KdcPrincipalInfo>>;
  startRun(client: PrincipalId, service: PrincipalId): Promise<Result<KdcProtocolRun>>;
  nextStep(): Promise<Result<KdcProtocolRun>>;
  clearRun(): void;
  /** Seals a chat message; the ciphertext goes back to the view (never the text). */
  sendMessage(keyId: KdcKeyId, from: PrincipalId, text: string): Promise<Result<SentMessage>>;
  /** Opens a chat message; the text goes back to the view only. */
  receiveMessage(keyId: KdcKeyId, to: PrincipalId, hex: string): Promise<Result<string>>;
  verifyKey(id: KdcKeyId, holder: PrincipalId): Promise<Result<VerifyKeyResult>>;
  revokeKey(id: KdcKeyId, reason: KeyRevocationReason): Promise<Result<DistributedKeyInfo>>;
  runAttack(attack: KdcAttackName, client: PrincipalId, service: PrincipalId): Promise<Result<AttackReport>>;
  clearOp(name: string): void;
}

/** Builds the KDC slice over an engine. */
export function createKdcSlice<S extends { kdc: KdcSlice }>(set: StoreApi<S>['setState'], _get: StoreApi<S>['getState'], engine: Engine): KdcSlice {
  const patch = (p: Partial<KdcSlice> | ((k: KdcSlice) => Partial<KdcSlice>)) => set((s) => ({ ...s, kdc: { ...s.kdc, ...(typeof p === 'function' ? p(s.kdc) : p) } }));
  const setOp = (name: string, op: OpStatus) => patch((k) => ({ ops: { ...k.ops, [name]: op } }));
  const kdc = (): Promise<Kdc> => engine.kdc();

  function run<T>(name: string, f: (k: Kdc) => Promise<T>): Promise<Result<T>> {
    return runOp(setOp, name, async () => f(await kdc()));
  }


  async function reload(): Promise<void> {
    const k = await kdc();
    const [principals, keys, revoked] = await Promise.all([k.listPrincipals(), k.listDistributedKeys(), k.listRevokedKeys()]);
    patch({ principals, keys, revoked, status: 'ready' });
  }

  /** Runs an action, then reloads the lists (principals and keys change together). */
  async function changing<T>(name: string, f: (k: Kdc) => Promise<T>): Promise<Result<T>> {
    const r = await run(name, f);
    await reload().catch(() => undefined);
    return r;
  }

  return {
    principals: [],
    keys: [],
    revoked: [],
    status: 'idle',
    run: null,
    attack: null,
    ops: {},

    async refresh() {
      patch({ status: 'loading' });
      const r = await run(kdcOpNames.refresh, () => reload());
      if (!r.ok) patch({ status: 'error' });
    },
    registerPrincipal: (name, kind) => changing(kdcOpNames.register, (k) => k.registerPrincipal({ name, kind })),
    suspendPrincipal: (name, reason) => changing(kdcOpNames.principal(name), (k) => k.suspendPrincipal(name, reason)),
    revokePrincipal: (name, reason) => changing(kdcOpNames.principal(name), (k) => k.revokePrincipal(name, reason)),
    reinstatePrincipal: (name) => changing(kdcOpNames.principal(name), (k) => k.reinstatePrincipal(name)),
    rotatePrincipalKey: (name) => changing(kdcOpNames.principal(name), (k) => k.rotatePrincipalKey(name)),

    async startRun(client, service) {
      const r = await run(kdcOpNames.start, (k) => k.startDistribution({ client, service }));
      if (r.ok) patch({ run: r.value });
      return r;
    },
    async nextStep() {
      const current = _get().kdc.run;
      if (!current) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'kdc: start a run first' } };
      const r = await changing(kdcOpNames.step, (k) => k.nextStep(current.id));
      if (r.ok) patch({ run: r.value });
      return r;
    },
    clearRun() {
      patch({ run: null });
    },
    sendMessage: (keyId, from, text) =>
      run(kdcOpNames.send, async (k) => {
        const m = await k.sendMessage(keyId, from, text);
        return { keyId: m.keyId, from: m.from, to: m.to, hex: m.wire.hex, wire: m.wire };
      }),
    receiveMessage: (keyId, to, hex) => run(kdcOpNames.send, (k) => k.receiveMessage(keyId, to, fromHex(hex))),
    verifyKey: (id, holder) => run(kdcOpNames.verify(id, holder), (k) => k.verifyDistributedKey(id, holder)),
    revokeKey: (id, reason) => changing(kdcOpNames.revokeKey(id), (k) => k.revokeDistributedKey(id, reason)),
    async runAttack(attack, client, service) {
      const r = await changing(kdcOpNames.attack, (k) => k.runAttack(attack, { client, service }));
      if (r.ok) patch({ attack: r.value });
      return r;
    },
    clearOp(name) {
      patch((k) => {
        const { [name]: _gone, ...rest } = k.ops;
        return { ops: rest };
      });
    },
  };
}
