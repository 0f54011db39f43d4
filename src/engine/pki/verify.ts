/**
 * Chain verification for the engine (E8): `pki().verifyChain` and `verifyCertificate`
 * run Clavis's own RFC 5280 path builder and validator (src/engine/pki/validate) and turn
 * its explained result into the named steps the certificate page has always shown.
 *
 * What changed from the pkijs-based verifier (issue 13): paths are built with
 * backtracking and a work budget, every check is Clavis's own code, and a certificate
 * that expires after its issuer is a warning (RFC 5280 has no such rule in path
 * validation; Clavis keeps it as an issuance lint). Revocation stays fail-closed by
 * default (`revocation: 'require'`): a certificate whose issuer has no usable CRL is
 * "unknown" and fails, unless the caller chooses 'if-available' or 'off'.
 *
 * Common case: `await pki.verifyCertificate(certId, { usage: 'tls-server', hostname: 'app.test' })`.
 */
import { EngineError } from '../errors';
import { toHex } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import type { LeafProfile } from './issue';
import type { VerifyResult, VerifyStep } from './types';
import { validatePath, type PeerName, type ProfileName, type RevocationMode } from './validate/index';
import { parseIpText } from './validate/names';
import { parseCrl, type Crl } from './validate/parse';

/** What to verify. All certificates and CRLs are DER. */
export interface VerifyChainParams {
  target: Uint8Array;
  intermediates?: Uint8Array[];
  trustAnchors: Uint8Array[];
  /** CRLs, one (or more) per issuer. */
  crls?: Uint8Array[];
  /**
   * CRLs already parsed (`crl-index.ts`): `pki.verifyCertificate` passes the cached parses
   * of the stored CRLs, so a big CRL is not re-read or re-parsed per call (issue 15).
   */
  parsedCrls?: Crl[];
  /** Verification time (default: the engine clock). */
  at?: Date;
  /** Intended use of the target (default `any`). */
  usage?: LeafProfile | 'any';
  hostname?: string;
  /** The peer name to match (DNS, IP or e-mail); takes precedence over `hostname`. */
  peer?: PeerName;
  /** Highest CRL number already accepted per issuer SKI (hex), for anti-rollback (R7). */
  lastCrlNumbers?: ReadonlyMap<string, number>;
  /** Rule set (default rfc5280). */
  profile?: ProfileName;
  /** What a missing CRL means (default 'require': fail closed). */
  revocation?: RevocationMode;
}

/** Drops CRLs older than one already accepted from the same issuer key (R7). */
function withoutRolledBack(crls: Uint8Array[], last: ReadonlyMap<string, number> | undefined): Uint8Array[] {
  if (!last || last.size === 0) return crls;
  return crls.filter((der) => {
    try {
      const c = parseCrl(der);
      const kid = c.aki?.keyId ? toHex(c.aki.keyId) : undefined;
      const seen = kid ? last.get(kid) : undefined;
      if (seen === undefined) return true;
      return c.crlNumber !== undefined && BigInt(`0x${c.crlNumber}`) >= BigInt(seen);
    } catch {
      return true; // the validator reports an unreadable CRL itself
    }
  });
}

/** Verifies a chain and explains each step. Never throws for an invalid chain; throws only on bad arguments. */
export async function verifyChain(ctx: EngineContext, p: VerifyChainParams): Promise<VerifyResult> {
  if (!p || !(p.target instanceof Uint8Array) || !Array.isArray(p.trustAnchors)) throw new EngineError('INVALID_ARGUMENT', 'pki: verification needs a target and trust anchors');
  const revocation = p.revocation ?? 'require';
  const r = await validatePath({
    target: p.target,
    intermediates: p.intermediates ?? [],
    anchors: p.trustAnchors,
    crls: withoutRolledBack(p.crls ?? [], p.lastCrlNumbers),
    ...(p.parsedCrls ? { parsedCrls: p.parsedCrls } : {}),
    time: p.at ?? new Date((ctx.viewClock ?? ctx.clock).now()),
    profile: p.profile ?? 'rfc5280',
    purpose: p.usage ?? 'any',
    revocation,
    subtle: ctx.subtle,
    ...(p.peer ? { peer: p.peer } : p.hostname !== undefined ? { peer: { kind: parseIpText(p.hostname) ? ('ip' as const) : ('dns' as const), value: p.hostname } } : {}),
  });
  const n = r.path.length - 1;
  const steps: VerifyStep[] = r.checks.map((c) => {
    // Steps keep the names the certificate page and older callers know: revocation-k counts
    // from the target (0) up, the peer-name check is "hostname".
    const name = c.rule === 'revocation' && c.at !== undefined ? `revocation-${n - c.at}` : c.rule === 'peer-name' ? 'hostname' : c.rule;
    // The certificate page is about the target, so its revocation step calls it "the certificate".
    const detail = c.rule === 'revocation' && c.at === n ? c.sentence.replace(/^the target "[^"]*"/, 'the certificate') : c.sentence;
    return { name, ok: c.ok, detail, section: c.section, ...(c.warning ? { warning: true } : {}) };
  });
  const rev = r.checks.filter((c) => c.rule === 'revocation');
  const revoked = rev.some((c) => !c.ok && / is revoked /.test(c.sentence));
  const status: VerifyResult['revocation'] = revoked ? 'revoked' : rev.length > 0 && rev.length === n && rev.every((c) => c.ok) ? 'good' : 'unknown';
  return { valid: r.valid, revocation: status, steps, profile: r.profile, summary: r.summary, path: r.path, alternatives: r.alternatives };
}
