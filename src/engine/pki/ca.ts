/**
 * Certificate authorities (E1): a self-signed root, and intermediates signed by a root or
 * another intermediate, each with a non-extractable vault key (ECDSA P-256/P-384 or RSA
 * with SHA-256). Creating a CA also publishes its first (empty) CRL, so a verifier always
 * has a CRL per issuer and a missing one means "unknown", never "not revoked".
 *
 * Common case: `const root = await pki.createRootCa({ name: 'Dev root', subject: { CN: 'Dev Root CA' } })`.
 */
import { mintCaId, type CaId, type KeyId } from '../ids';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError } from '../errors';
import { normalizeLabel } from '../internal/labels';
import type { EngineContext } from '../keys/context';
import { deleteKey, generateKey, loadKey } from '../keys/vault';
import type { TemplateName } from '../types';
import type { CaRecord, CertRecord } from '../storage/schema';
import { createSigner, parseSpki } from './algorithms';
import { checkUri, keyIdentifier, type NameConstraints } from './extensions';
import { issue, loadIssuer, type IssuerHandle } from './issue';
import { MAX_CA_CRL_VALIDITY_DAYS, MAX_CRL_VALIDITY_DAYS, publishCrl } from './crl';
import { decodeName, encodeName, formatName, hasForbiddenChars, type DistinguishedName } from './names';

/** Key templates a CA may use. */
export const CA_KEY_TEMPLATES = [
  'ECDSA-P-256',
  'ECDSA-P-384',
  'RSASSA-PKCS1-v1_5-2048',
  'RSASSA-PKCS1-v1_5-3072',
  'RSASSA-PKCS1-v1_5-4096',
  'RSA-PSS-2048',
  'RSA-PSS-3072',
  'RSA-PSS-4096',
] as const satisfies readonly TemplateName[];
export type CaKeyTemplate = (typeof CA_KEY_TEMPLATES)[number];

/** Parameters of a new root CA. */
export interface CreateCaParams {
  /** Display name of the CA (and of its vault key). */
  name: string;
  subject: DistinguishedName;
  /** Template for a new key (default ECDSA-P-256). Ignored when `keyId` is given. */
  keyTemplate?: CaKeyTemplate;
  /** Use an existing vault key instead of generating one. */
  keyId?: KeyId;
  /**
   * Generate the CA key exportable (default false: non-extractable). Only an exportable
   * CA key goes into an encrypted vault backup (A7), so only such a CA can be restored;
   * the price is that code running in this site can read the private key (the vault
   * screens warn before it is chosen). Ignored when `keyId` is given.
   */
  keyExportable?: boolean;
  validityDays?: number;
  notAfter?: Date;
  /** basicConstraints pathLenConstraint (absent: unlimited). */
  pathLen?: number;
  /** CRL distribution point URL written into certificates this CA issues. */
  crlUrl?: string;
  /** AIA caIssuers URL written into certificates this CA issues. */
  caIssuersUrl?: string;
  /**
   * Days between thisUpdate and nextUpdate of this CA's CRLs (default 7). At most 10 for
   * a CA that issues leaves; a root may go up to 365, and then issues only CAs (BR 4.9.7).
   */
  crlValidityDays?: number;
}

/** Parameters of a new intermediate CA. */
export interface CreateIntermediateParams extends CreateCaParams {
  /** The CA that signs the intermediate. */
  parentId: CaId;
  nameConstraints?: NameConstraints;
}

/** What creating a CA returns. */
export interface CaOutcome {
  ca: CaRecord;
  cert: CertRecord;
  truncated: boolean;
}

function settings(p: CreateCaParams, kind: CaRecord['kind']): Pick<CaRecord, 'crlValidityDays' | 'crlUrl' | 'caIssuersUrl'> {
  const days = p.crlValidityDays ?? 7;
  const max = kind === 'root' ? MAX_CA_CRL_VALIDITY_DAYS : MAX_CRL_VALIDITY_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > max) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      kind === 'root'
        ? `pki: CRL validity of a root must be 1–${max} days; over ${MAX_CRL_VALIDITY_DAYS} the root issues only CAs (BR 4.9.7)`
        : `pki: CRL validity of an intermediate must be 1–${max} days (BR 4.9.7)`,
    );
  }
  const out: Pick<CaRecord, 'crlValidityDays' | 'crlUrl' | 'caIssuersUrl'> = { crlValidityDays: days };
  if (p.crlUrl) out.crlUrl = checkUri(p.crlUrl, 'CRL URL');
  if (p.caIssuersUrl) out.caIssuersUrl = checkUri(p.caIssuersUrl, 'CA issuers URL');
  return out;
}

function checkCaName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim() || name.length > 200 || hasForbiddenChars(name)) {
    throw new EngineError('INVALID_ARGUMENT', 'pki: a CA needs a name (plain text, up to 200 characters)');
  }
  // The vault's rule for names people read (issue 14 #12): NFC, nothing invisible, no stray marks.
  const { value, problem } = normalizeLabel(name);
  if (problem) throw new EngineError('INVALID_ARGUMENT', `pki: the CA name contains ${problem}; names may not hide characters`);
  return value;
}

/** Generates (or loads) the CA key; returns whether it was generated here. */
async function caKey(ctx: EngineContext, p: CreateCaParams): Promise<{ keyId: KeyId; generated: boolean }> {
  if (p.keyId) return { keyId: p.keyId, generated: false };
  const template = p.keyTemplate ?? 'ECDSA-P-256';
  if (!(CA_KEY_TEMPLATES as readonly string[]).includes(template)) throw new EngineError('INVALID_ARGUMENT', 'pki: choose an ECDSA P-256/P-384 or RSA template for a CA');
  // A CA name may use all 200 characters of a name; its key's name is clipped to fit " (CA key)".
  const suffix = ' (CA key)';
  const base = [...p.name].length + suffix.length > 200 ? `${[...p.name].slice(0, 200 - suffix.length - 1).join('')}…` : p.name;
  const info = await generateKey(ctx, { template, name: `${base}${suffix}`, owner: 'certificate authority', exportable: p.keyExportable === true });
  return { keyId: info.id, generated: true };
}

/** What a CA creation has committed so far, for `withCleanup` to undo. */
interface Created {
  ca?: CaRecord;
}

/**
 * Runs a CA creation; when it fails, undoes what it committed: a CA record whose first
 * CRL failed is removed with its certificate (audited `ca.discard`), so no CA is listed
 * that can never publish a CRL (issue 14 #7), and then the key made for it is deleted.
 */
async function withCleanup<T>(ctx: EngineContext, key: { keyId: string; generated: boolean }, f: (created: Created) => Promise<T>): Promise<T> {
  const created: Created = {};
  try {
    return await f(created);
  } catch (e) {
    const ca = created.ca;
    if (ca) {
      await withAudit(ctx, async () => ({
        drafts: [auditDraft(ctx, 'ca.discard', [ca.id, ca.certId], { caId: ca.id, certId: ca.certId, keyId: ca.keyId, why: 'its first CRL could not be published' })],
        commit: (audit) => ctx.storage.discardNewCa(ca.id, audit),
      })).catch(() => undefined);
    }
    // The key was made for this CA only; do not leave an orphan in the vault.
    if (key.generated) await deleteKey(ctx, key.keyId).catch(() => undefined);
    throw e;
  }
}

/** Creates a self-signed root CA and its first CRL. */
export async function createRootCa(ctx: EngineContext, p: CreateCaParams): Promise<CaOutcome> {
  const name = checkCaName(p?.name);
  const subjectDer = encodeName(p.subject, 'CA subject');
  const conf = settings(p, 'root');
  const key = await caKey(ctx, p);
  return withCleanup(ctx, key, async (created) => {
    const loaded = await loadKey(ctx, key.keyId);
    if (!loaded.material.privateKey || !loaded.material.publicKey) throw new EngineError('KEY_STATE', 'pki: a CA needs a key pair');
    const signer = await createSigner(ctx, loaded.material.privateKey);
    const spki = parseSpki(new Uint8Array(await ctx.subtle.exportKey('spki', loaded.material.publicKey)));
    const id = mintCaId(ctx.random);
    const handle: IssuerHandle = {
      id,
      name: subjectDer,
      display: formatName(decodeName(subjectDer)),
      ski: await keyIdentifier(ctx.subtle, spki.subjectPublicKey),
      signer,
    };
    const out = await issue(ctx, handle, {
      profile: 'root-ca',
      subject: p.subject,
      spki,
      keyRole: 'sign',
      keyId: key.keyId,
      source: 'ca',
      ...(p.validityDays !== undefined ? { validityDays: p.validityDays } : {}),
      ...(p.notAfter !== undefined ? { notAfter: p.notAfter } : {}),
      ...(p.pathLen !== undefined ? { pathLen: p.pathLen } : {}),
      ca: { id, name, kind: 'root', keyId: key.keyId, ...conf },
    });
    created.ca = out.ca!;
    await publishCrl(ctx, id);
    return { ca: out.ca!, cert: out.cert, truncated: out.truncated };
  });
}

/** Creates an intermediate CA signed by `parentId`, and its first CRL. */
export async function createIntermediateCa(ctx: EngineContext, p: CreateIntermediateParams): Promise<CaOutcome> {
  const name = checkCaName(p?.name);
  const conf = settings(p, 'intermediate');
  const parent = await loadIssuer(ctx, p.parentId);
  const key = await caKey(ctx, p);
  return withCleanup(ctx, key, async (created) => {
    const loaded = await loadKey(ctx, key.keyId);
    if (!loaded.material.privateKey || !loaded.material.publicKey) throw new EngineError('KEY_STATE', 'pki: a CA needs a key pair');
    // Fail early (UNSUPPORTED) if this key could never sign.
    await createSigner(ctx, loaded.material.privateKey);
    const spki = parseSpki(new Uint8Array(await ctx.subtle.exportKey('spki', loaded.material.publicKey)));
    const id = mintCaId(ctx.random);
    const out = await issue(ctx, parent.handle, {
      profile: 'sub-ca',
      subject: p.subject,
      spki,
      keyRole: 'sign',
      keyId: key.keyId,
      source: 'ca',
      ...(p.validityDays !== undefined ? { validityDays: p.validityDays } : {}),
      ...(p.notAfter !== undefined ? { notAfter: p.notAfter } : {}),
      ...(p.pathLen !== undefined ? { pathLen: p.pathLen } : {}),
      ...(p.nameConstraints ? { nameConstraints: p.nameConstraints } : {}),
      ca: { id, name, kind: 'intermediate', keyId: key.keyId, parentId: parent.ca.id, ...conf },
    });
    created.ca = out.ca!;
    await publishCrl(ctx, id);
    return { ca: out.ca!, cert: out.cert, truncated: out.truncated };
  });
}
