// createKdc: the key distribution center, composed from its modules around one shared context.
/**
 * The key distribution center (PRODUCT.md C1–C6, SECURITY.md D1–D5): principals with
 * long-term keys, Needham–Schroeder symmetric-key distribution with the Kerberos fixes,
 * key confirmation, revocation, and the seeds' store/get API done honestly.
 *
 * The protocol (every sealed part is AES-GCM with the header as AAD, see codec.ts):
 *
 *   1. A → KDC  kdc-request   {client A, service B, nonce N_A, time}            under K_A
 *   2. KDC → A  kdc-reply     {N_A, B, keyId, issuedAt, expiresAt,
 *                              K_AB and K_conf wrapped under K_A, ticket}       under K_A
 *               ticket        {A, B, keyId, ticketId, issuedAt, expiresAt,
 *                              K_AB and K_conf wrapped under K_B}              under K_B
 *   3. A → B    ap-request    ticket + authenticator {A, ticketId, id, time}   under K_AB
 *   4. B → A    ap-challenge  {N_B, HMAC(K_conf, "service-to-client" ‖ H)}      under K_AB
 *   5. A → B    ap-confirm    {HMAC(K_conf, "client-to-service" ‖ H)}           under K_AB
 *
 * where H = SHA-256(message 3 bytes ‖ N_B). A checks N_A against its outstanding
 * requests (D2); B checks the ticket (AEAD, D1), expiry, the authenticator's time
 * within the 5-minute skew window and B's replay cache (D3), that neither the key nor a
 * principal is revoked (C4), and both sides check the direction-bound confirmation (D4).
 * The session key ends up non-extractable on each side; the KDC keeps it wrapped
 * (AES-KW) under its master key with a KCV (C3). Issuance, refusals and revocations are
 * audited in the same transaction as the change, without key material (D5).
 *
 * Common case:
 * ```ts
 * const kdc = engine.kdc();
 * await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
 * await kdc.registerPrincipal({ name: 'files', kind: 'service' });
 * const run = await kdc.distribute({ client: 'alice', service: 'files' });
 * const m = await kdc.sendMessage(run.keyId!, 'alice', 'hello');
 * await kdc.receiveMessage(run.keyId!, 'files', m.bytes); // 'hello'
 * ```
 */
import type { EngineContext } from '../keys/context';
import { runAttack } from './attacks';
import { createChat } from './chat';
import { createClientSide } from './client-side';
import { cleanName, createKdcContext } from './context';
import type { KdcInternals } from './internals';
import { createKeyStore } from './key-store';
import { createPrincipals } from './principals';
import { createKdcExchange } from './protocol';
import { createRevocation } from './revocation';
import { createRotation } from './rotation';
import { createServiceSide } from './service-side';
import { createSteps } from './steps';
import { CLOCK_SKEW_MS, DEFAULT_TICKET_LIFETIME_MS, type Kdc, type KdcProtocol } from './types';

export { CLOCK_SKEW_MS, DEFAULT_TICKET_LIFETIME_MS };
export { KDC_NAME, MAX_TICKET_LIFETIME_MS, MIN_TICKET_LIFETIME_MS } from './context';

/** Builds the KDC over an engine context. One per engine. */
export function createKdc(ctx: EngineContext): Kdc {
  const k = createKdcContext(ctx);
  const kdcSide = createKdcExchange(k);
  const client = createClientSide(k);
  const service = createServiceSide(k);
  const protocol: KdcProtocol = {
    request: kdcSide.request,
    issue: kdcSide.issue,
    acceptReply: client.acceptReply,
    apRequest: client.apRequest,
    serviceAccept: service.serviceAccept,
    clientConfirm: client.clientConfirm,
    serviceFinish: service.serviceFinish,
  };
  const internals: KdcInternals = {
    heldKey: async (keyId, holder) => (await k.heldKey(keyId, holder)).key,
    cleanName,
  };
  const kdc: Kdc = {
    ...createPrincipals(k),
    ...createRotation(k),
    ...createSteps(k, kdcSide, client, service),
    ...createChat(k),
    ...createRevocation(k),
    ...createKeyStore(k),
    runAttack: (attack, p) => runAttack(ctx, kdc, internals, attack, p),
    protocol,
  };
  return kdc;
}
