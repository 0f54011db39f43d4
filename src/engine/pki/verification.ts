// Verifying certificates: a stored one against its stored chain and CRLs, or a chain brought from outside (the Verify screen, E8).
import type { CaId } from '../ids';
import { EngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import { chainOf, getRecord } from './certs-view';
import { latestParsedCrl } from './crl-index';
import { readTrustMaterial } from './imported';
import type { LeafProfile } from './issue';
import type { VerifyResult } from './types';
import type { PeerName, ProfileName, Purpose, RevocationMode } from './validate/index';
import { parseCert } from './validate/parse';
import { verifyChain } from './verify';

/**
 * A verification of certificates brought from outside (the Verify screen, E8): the chain
 * as the user pasted or dropped it, trust anchors and CRLs picked from Clavis's CAs and
 * the imported trust material, and the verifier's settings.
 */
export interface VerifyInputParams {
  /**
   * PEM text and/or file bytes (PEM, DER, .p7b), in any order. The certificate verified is
   * the first one that issued none of the others (the first of all in a cycle); the others
   * form the pool the path is built from. CRLs found here are used too.
   */
  chain: ReadonlyArray<string | Uint8Array>;
  /** Trust anchors: Clavis CAs (their certificates) and imported trusted roots, by id. */
  anchors: { caIds?: readonly CaId[]; importedIds?: readonly string[] };
  /** CRLs: the latest CRL of Clavis CAs, and imported CRLs, by id. */
  crls?: { caIds?: readonly string[]; importedIds?: readonly string[] };
  at?: Date;
  purpose?: Purpose;
  peer?: PeerName;
  profile?: ProfileName;
  revocation?: RevocationMode;
}

/** How a stored certificate is verified: for which usage, host name and time. */
export interface VerifyStoredOptions {
  usage?: LeafProfile | 'any';
  hostname?: string;
  at?: Date;
}

/** Verifies a stored certificate against its stored chain and the latest CRLs, step by step. @throws INVALID_ARGUMENT, STORAGE */
export async function verifyCertificate(ctx: EngineContext, id: string, opts: VerifyStoredOptions = {}): Promise<VerifyResult> {
  const rec = await getRecord(ctx, id);
  const chain = await chainOf(ctx, rec);
  const root = rec.profile === 'root-ca' ? rec : chain[chain.length - 1];
  if (!root) throw new EngineError('STORAGE', 'pki: the chain has no root');
  const cas = [rec, ...chain].filter((c) => c.caId).map((c) => c.caId!);
  // The cached parses of the latest CRLs: a 100,000-entry CRL is read and parsed once, not per call (issue 15).
  const parsedCrls = (await Promise.all([...new Set([rec.issuerId, ...cas])].map((c) => latestParsedCrl(ctx, c)))).flatMap((c) => (c ? [c] : []));
  return verifyChain(ctx, {
    target: rec.der,
    intermediates: chain.filter((c) => c !== root).map((c) => c.der),
    trustAnchors: [root.der],
    parsedCrls,
    ...(opts.usage ? { usage: opts.usage } : {}),
    ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}),
    ...(opts.at ? { at: opts.at } : {}),
  });
}

/** The DER of the trust anchors picked: Clavis CA certificates and imported trusted roots. @throws INVALID_ARGUMENT */
async function anchorsOf(ctx: EngineContext, picked: VerifyInputParams['anchors']): Promise<Uint8Array[]> {
  const anchors: Uint8Array[] = [];
  for (const caId of new Set(picked.caIds ?? [])) {
    const ca = await ctx.storage.getCa(caId);
    const cert = ca ? await ctx.storage.getCert(ca.certId) : undefined;
    if (!cert) throw new EngineError('INVALID_ARGUMENT', 'pki: no Clavis CA with that id');
    anchors.push(cert.der);
  }
  for (const id of new Set(picked.importedIds ?? [])) {
    const rec = await ctx.storage.getImportedCert(id);
    if (!rec) throw new EngineError('INVALID_ARGUMENT', 'pki: no imported certificate with that id');
    if (!rec.trusted) throw new EngineError('INVALID_ARGUMENT', `pki: the imported certificate "${rec.subject}" is not marked as a trusted root`);
    anchors.push(rec.der);
  }
  if (anchors.length === 0) throw new EngineError('INVALID_ARGUMENT', 'pki: pick at least one trust anchor (a Clavis CA or an imported trusted root)');
  return anchors;
}

/**
 * Verifies a chain brought from outside against the anchors and CRLs picked.
 * @throws MALFORMED_INPUT (the chain cannot be read), INVALID_ARGUMENT (no certificate, no
 * anchor, an unknown or untrusted anchor id)
 */
export async function verifyInput(ctx: EngineContext, p: VerifyInputParams): Promise<VerifyResult> {
  if (!p || !Array.isArray(p.chain) || !p.anchors) throw new EngineError('INVALID_ARGUMENT', 'pki: a verification needs a chain and trust anchors');
  const certs: Uint8Array[] = [];
  const inputCrls: Uint8Array[] = [];
  for (const part of p.chain) {
    if (typeof part === 'string' && part.trim() === '') continue;
    const m = readTrustMaterial(part);
    certs.push(...m.certs);
    inputCrls.push(...m.crls);
  }
  if (certs.length === 0) throw new EngineError('INVALID_ARGUMENT', 'pki: paste or drop at least one certificate to verify');
  const anchors = await anchorsOf(ctx, p.anchors);
  const parsedCrls = [];
  for (const caId of new Set(p.crls?.caIds ?? [])) {
    const crl = await latestParsedCrl(ctx, caId);
    if (crl) parsedCrls.push(crl);
  }
  const crls = [...inputCrls];
  for (const id of new Set(p.crls?.importedIds ?? [])) {
    const rec = await ctx.storage.getImportedCrl(id);
    if (!rec) throw new EngineError('INVALID_ARGUMENT', 'pki: no imported CRL with that id');
    crls.push(rec.der);
  }
  // The target is the first certificate that issued none of the others (a .p7b's SET OF
  // has no order; a bundle may start with the root), or the first one when every
  // certificate issued another (a cycle).
  const parsed = certs.map((der) => parseCert(der));
  let t = parsed.findIndex((c, i) => !parsed.some((o, j) => j !== i && o.issuer.key === c.subject.key));
  if (t < 0) t = 0;
  return verifyChain(ctx, {
    target: certs[t]!,
    intermediates: certs.filter((_, i) => i !== t),
    trustAnchors: anchors,
    crls,
    parsedCrls,
    ...(p.at ? { at: p.at } : {}),
    ...(p.purpose ? { usage: p.purpose } : {}),
    ...(p.peer ? { peer: p.peer } : {}),
    ...(p.profile ? { profile: p.profile } : {}),
    ...(p.revocation ? { revocation: p.revocation } : {}),
  });
}
