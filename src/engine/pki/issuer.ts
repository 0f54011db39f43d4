/** The issuer of a certificate: a CA loaded from the store, checked, and cached while its record stays the same. */
import type { CaId } from '../ids';
import { EngineError, KeyStateError } from '../errors';
import type { EngineContext } from '../keys/context';
import { destroyedKeyError, loadKey } from '../keys/vault';
import { isDestroyedState } from '../lifecycle/states';
import { assertCrlSigningAllowed, assertOperationAllowed } from '../lifecycle/gates';
import type { CaRecord, CertRecord } from '../storage/schema';
import { createSigner, type Signer } from './algorithms';
import { OID } from './extensions';
import { MAX_LEAF_CRL_VALIDITY_DAYS } from './lint';
import { caLabel, parseNameConstraints, type LabelledConstraints } from './name-constraints';
import { parseBasicConstraints, parseCertificate, skiValue } from './x509';

/** Who signs: a CA from the store, or (for a root) the new CA itself. */
export interface IssuerHandle {
  id: CaId;
  name: Uint8Array;
  display: string;
  ski: Uint8Array;
  notAfter?: Date;
  pathLen?: number;
  signer: Signer;
  crlUrl?: string;
  caIssuersUrl?: string;
  /** True when the CA's CRLs last longer than 10 days: it issues only CAs (BR 4.9.7). */
  caOnly?: boolean;
  /** Name constraints of this CA and every CA above it (RFC 5280 §4.2.1.10). */
  nameConstraints?: LabelledConstraints[];
}

/**
 * What issuing needs from a CA that never changes while its record stays the same: its
 * certificate (immutable DER), the parsed chain above it (names, constraints, the links
 * whose revocation must be checked) and a signer over its non-extractable key.
 */
interface CachedIssuer {
  /** The CA record this was built from (JSON): any change of the CA's own record rebuilds it. */
  caJson: string;
  /** The CA's key (as in `caJson`). */
  keyId: string;
  cert: CertRecord;
  /** Each certificate link above the CA: (parent CA, serial) to look up in the revocation index. */
  links: Array<{ parentId: string; serialHex: string; name: string }>;
  constraints: LabelledConstraints[];
  name: Uint8Array;
  ski: Uint8Array;
  pathLen?: number;
  signer: Signer;
}

/**
 * The issuer cache, per storage (so per engine and per database). Only facts that cannot
 * change under an unchanged CA record are kept; every use re-reads the CA record (a change
 * there, in this tab or another, rebuilds the entry), the CA key's lifecycle state and the
 * revocation of every certificate above, so a revocation, a suspended CA key or a CA
 * edited in another tab is seen at once without any message between tabs.
 */
const issuerCache = new WeakMap<object, Map<string, CachedIssuer>>();

/** Drops a CA's cached issuer (after a change of the CA; the next issuance rebuilds it). */
export function forgetIssuer(ctx: Pick<EngineContext, 'storage'>, caId: string): void {
  issuerCache.get(ctx.storage)?.delete(caId);
}

/** Loads a CA as an issuer, refusing expired, revoked or unusable CAs. */
export async function loadIssuer(
  ctx: EngineContext,
  caId: string,
  opts: { forCrl?: boolean } = {},
): Promise<{ handle: IssuerHandle; ca: CaRecord; cert: CertRecord }> {
  if (typeof caId !== 'string' || !caId) throw new EngineError('INVALID_ARGUMENT', 'pki: a CA id is required');
  const cached = opts.forCrl ? undefined : issuerCache.get(ctx.storage)?.get(caId);
  // A cached issuer's per-use reads start with the CA record's (one wait, not two); they
  // are used only when the record turns out unchanged.
  const early = cached ? perUseReads(ctx, cached) : undefined;
  early?.catch(() => undefined);
  const ca = await ctx.storage.getCa(caId);
  if (!ca) throw new EngineError('INVALID_ARGUMENT', 'pki: no CA with that id');
  if (cached && early && cached.caJson === JSON.stringify(ca)) return fromCache(ctx, ca, cached, await early);
  const cert = await ctx.storage.getCert(ca.certId);
  if (!cert) throw new EngineError('STORAGE', 'pki: the CA certificate is missing from the store');
  const now = ctx.clock.now();
  if (now >= Date.parse(ca.notAfter)) throw new EngineError('CERT_INVALID', `pki: the CA "${ca.name}" has expired`);
  // A CA whose certificate (or any ancestor's) is revoked must not issue (R8). The same
  // walk collects the name constraints of every CA above what will be issued.
  const constraints: LabelledConstraints[] = [];
  const links: CachedIssuer['links'] = [];
  // A revoked CA still publishes its CRL (its leaves' revocations stay visible).
  let walk: CaRecord | undefined = opts.forCrl ? undefined : ca;
  let walkCert: CertRecord | undefined = cert;
  for (let guard = 0; walk && walkCert && guard < 32; guard++) {
    const walkParts = parseCertificate(walkCert.der).parts;
    const nc = walkParts.extensions.find((e) => e.oid === OID.nameConstraints);
    if (nc) constraints.push({ label: caLabel(walkParts.subject), constraints: parseNameConstraints(nc.value) });
    if (!walk.parentId) break;
    links.push({ parentId: walk.parentId, serialHex: walkCert.serialHex, name: walk.name });
    if (await ctx.storage.getRevocation(walk.parentId, walkCert.serialHex)) {
      throw new EngineError('CERT_REVOKED', `pki: the certificate of CA "${walk.name}" is revoked`);
    }
    walk = await ctx.storage.getCa(walk.parentId);
    walkCert = walk ? await ctx.storage.getCert(walk.certId) : undefined;
  }
  const key = await loadKey(ctx, ca.keyId);
  // B2: the CA key signs certificates only when its lifecycle allows it (active, within
  // its dates); CRLs also after deactivation, until process-stop (K3).
  try {
    if (opts.forCrl) assertCrlSigningAllowed(key.info, now);
    else assertOperationAllowed(key.info, 'sign', now);
  } catch (e) {
    if (e instanceof KeyStateError) throw new KeyStateError(`pki: CA "${ca.name}" cannot sign: ${e.message}`, { cause: e });
    throw e;
  }
  if (!key.material.privateKey) throw new EngineError('KEY_STATE', 'pki: the CA key has no private half');
  const signer = await createSigner(ctx, key.material.privateKey);
  const parsed = parseCertificate(cert.der).parts;
  const skiExt = parsed.extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
  const bc = parsed.extensions.find((e) => e.oid === OID.basicConstraints);
  const pathLen = bc ? parseBasicConstraints(bc.value).pathLen : undefined;
  const handle: IssuerHandle = {
    id: ca.id,
    name: parsed.subject,
    display: cert.subject,
    ski: skiExt ? skiValue(skiExt.value) : new Uint8Array(0),
    notAfter: new Date(ca.notAfter),
    signer,
  };
  if (pathLen !== undefined) handle.pathLen = pathLen;
  if (constraints.length) handle.nameConstraints = constraints;
  if (ca.crlValidityDays > MAX_LEAF_CRL_VALIDITY_DAYS) handle.caOnly = true;
  if (ca.crlUrl) handle.crlUrl = ca.crlUrl;
  if (ca.caIssuersUrl) handle.caIssuersUrl = ca.caIssuersUrl;
  if (!opts.forCrl) {
    let perStorage = issuerCache.get(ctx.storage);
    if (!perStorage) issuerCache.set(ctx.storage, (perStorage = new Map()));
    const entry: CachedIssuer = { caJson: JSON.stringify(ca), keyId: ca.keyId, cert, links, constraints, name: parsed.subject, ski: handle.ski, signer };
    if (pathLen !== undefined) entry.pathLen = pathLen;
    perStorage.set(ca.id, entry);
  }
  return { handle, ca, cert };
}

/** loadIssuer from the cache: the same refusals, with only the reads that can change the answer. */
/** What every use of a cached issuer reads again: the CA key's lifecycle state and whether a certificate above it was revoked (R8). */
function perUseReads(ctx: EngineContext, c: CachedIssuer) {
  return Promise.all([ctx.storage.getKeyInfo(c.keyId), ...c.links.map((l) => ctx.storage.getRevocation(l.parentId, l.serialHex))]);
}

async function fromCache(ctx: EngineContext, ca: CaRecord, c: CachedIssuer, reads: Awaited<ReturnType<typeof perUseReads>>): Promise<{ handle: IssuerHandle; ca: CaRecord; cert: CertRecord }> {
  const now = ctx.clock.now();
  if (now >= Date.parse(ca.notAfter)) throw new EngineError('CERT_INVALID', `pki: the CA "${ca.name}" has expired`);
  const [info, ...revoked] = reads;
  const hit = revoked.findIndex((r) => r !== undefined);
  if (hit >= 0) throw new EngineError('CERT_REVOKED', `pki: the certificate of CA "${c.links[hit]!.name}" is revoked`);
  if (!info) throw new EngineError('KEY_NOT_FOUND', 'keys: no key with that id is in the vault');
  if (isDestroyedState(info.state)) throw destroyedKeyError(info);
  try {
    assertOperationAllowed(info, 'sign', now);
  } catch (e) {
    if (e instanceof KeyStateError) throw new KeyStateError(`pki: CA "${ca.name}" cannot sign: ${e.message}`, { cause: e });
    throw e;
  }
  const handle: IssuerHandle = { id: ca.id, name: c.name, display: c.cert.subject, ski: c.ski, notAfter: new Date(ca.notAfter), signer: c.signer };
  if (c.pathLen !== undefined) handle.pathLen = c.pathLen;
  if (c.constraints.length) handle.nameConstraints = c.constraints;
  if (ca.crlValidityDays > MAX_LEAF_CRL_VALIDITY_DAYS) handle.caOnly = true;
  if (ca.crlUrl) handle.crlUrl = ca.crlUrl;
  if (ca.caIssuersUrl) handle.caIssuersUrl = ca.caIssuersUrl;
  return { handle, ca, cert: c.cert };
}
