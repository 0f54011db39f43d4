// Handing certificates and CRLs out: PEM or DER, chains and full chains (PEM or .p7b), and PKCS #12 files with an exportable vault key.
import type { CaId, CertId } from '../ids';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import { assertExportPassphrase } from '../keys/pkcs8-encrypted';
import { toPem } from '../keys/pem';
import { loadKey, type LoadedKey } from '../keys/vault';
import { certsOnlyPkcs7 } from './bundle';
import { chainOf, getRecord, vaultKeysOf } from './certs-view';
import { buildPkcs12, friendlyNameOf } from './pkcs12';

/** The original DER of a certificate (P14), a copy. */
export async function exportCertificateDer(ctx: EngineContext, id: string): Promise<Uint8Array<ArrayBuffer>> {
  return (await getRecord(ctx, id)).der.slice();
}

/** A certificate as PEM. */
export async function exportCertificatePem(ctx: EngineContext, id: string): Promise<string> {
  return toPem((await getRecord(ctx, id)).der, 'CERTIFICATE');
}

/** PEM of the certificate followed by its CA certificates up to (not including) the root. */
export async function exportChain(ctx: EngineContext, id: string): Promise<string> {
  const rec = await getRecord(ctx, id);
  const chain = await chainOf(ctx, rec);
  return [rec, ...chain.filter((c) => c.profile !== 'root-ca')].map((c) => toPem(c.der, 'CERTIFICATE')).join('');
}

/** The whole chain, root included, as one PEM bundle (leaf first, root last). */
export async function exportFullChainPem(ctx: EngineContext, id: string): Promise<string> {
  const rec = await getRecord(ctx, id);
  return [rec, ...(await chainOf(ctx, rec))].map((c) => toPem(c.der, 'CERTIFICATE')).join('');
}

/** The whole chain, root included, as a DER certs-only PKCS#7 (bundle.ts). */
export async function exportFullChainP7b(ctx: EngineContext, id: string): Promise<Uint8Array<ArrayBuffer>> {
  const rec = await getRecord(ctx, id);
  return certsOnlyPkcs7([rec, ...(await chainOf(ctx, rec))].map((c) => c.der));
}

/**
 * A PKCS #12 file (DER) with the certificate, its exportable vault private key
 * (encrypted under `passphrase`) and the chain up to the root. Audited as a `key.export`.
 * @throws INVALID_ARGUMENT (no private key in the vault, bad passphrase), NOT_EXTRACTABLE
 */
export async function exportPkcs12(ctx: EngineContext, id: string, passphrase: string): Promise<Uint8Array> {
  assertExportPassphrase(passphrase);
  const rec = await getRecord(ctx, id);
  let holder: LoadedKey | undefined;
  for (const keyId of await vaultKeysOf(ctx, rec)) {
    const k = await loadKey(ctx, keyId);
    if (k.material.privateKey && (!holder || k.material.privateKey.extractable)) holder = k;
  }
  if (!holder) throw new EngineError('INVALID_ARGUMENT', 'pki: the private key of this certificate is not in this vault, so there is nothing to put in a PKCS #12 file; download the certificate and chain instead');
  const privateKey = holder.material.privateKey!;
  if (!privateKey.extractable) {
    throw new EngineError('NOT_EXTRACTABLE', 'pki: the key of this certificate is non-extractable, so it cannot leave the vault in a PKCS #12 file; the certificate and chain can');
  }
  const pkcs8 = new Uint8Array(await ctx.subtle.exportKey('pkcs8', privateKey));
  let pfx: Uint8Array<ArrayBuffer>;
  try {
    const all = [rec, ...(await chainOf(ctx, rec))];
    pfx = await buildPkcs12(ctx.subtle, ctx.random, { pkcs8, certificates: all.map((c) => c.der), passphrase, friendlyName: friendlyNameOf(holder.info.name) });
  } finally {
    pkcs8.fill(0);
  }
  const keyId = holder.info.id;
  await withAudit(ctx, async () => ({
    drafts: [auditDraft(ctx, 'key.export', [keyId, rec.id], { keyId, certId: rec.id, format: 'pkcs12', encrypted: true })],
    commit: (audit) => ctx.storage.commitAudited(audit),
  }));
  return pfx;
}

/** The DER of the latest CRL of a CA, or of the one with `number`. @throws INVALID_ARGUMENT */
export async function exportCrlDer(ctx: EngineContext, caId: string, number?: number): Promise<Uint8Array<ArrayBuffer>> {
  const rec = number === undefined ? await ctx.storage.getLatestCrl(caId) : Number.isInteger(number) ? await ctx.storage.getCrl(caId, number) : undefined;
  if (!rec) throw new EngineError('INVALID_ARGUMENT', number === undefined ? 'pki: this CA has not published a CRL' : 'pki: this CA has no CRL with that number');
  return rec.der.slice();
}

/** The latest CRL of a CA, or the one with `number`, as PEM. @throws INVALID_ARGUMENT */
export async function exportCrlPem(ctx: EngineContext, caId: string, number?: number): Promise<string> {
  return toPem(await exportCrlDer(ctx, caId, number), 'X509 CRL');
}

/** A certificate in the format named: PEM text, or its original DER. */
export interface CertificateExport {
  (id: CertId, format: 'pem'): Promise<string>;
  (id: CertId, format: 'der'): Promise<Uint8Array<ArrayBuffer>>;
}

/** The whole chain, root included, in the format named: one PEM bundle, or a DER .p7b. */
export interface FullChainExport {
  (id: CertId, format: 'pem'): Promise<string>;
  (id: CertId, format: 'p7b'): Promise<Uint8Array<ArrayBuffer>>;
}

/** The latest CRL of a CA (or the one with `number`) in the format named: PEM text, or DER. */
export interface CrlExport {
  (caId: CaId, format: 'pem', number?: number): Promise<string>;
  (caId: CaId, format: 'der', number?: number): Promise<Uint8Array<ArrayBuffer>>;
}

/** `exportCertificate` over a context: one exact result type per format. */
export function certificateExport(ctx: EngineContext): CertificateExport {
  function run(id: string, format: 'pem'): Promise<string>;
  function run(id: string, format: 'der'): Promise<Uint8Array<ArrayBuffer>>;
  async function run(id: string, format: 'pem' | 'der'): Promise<string | Uint8Array<ArrayBuffer>> {
    if (format === 'der') return exportCertificateDer(ctx, id);
    if (format === 'pem') return exportCertificatePem(ctx, id);
    throw new EngineError('INVALID_ARGUMENT', 'pki: export format must be pem or der');
  }
  return run;
}

/** `exportFullChain` over a context: one exact result type per format. */
export function fullChainExport(ctx: EngineContext): FullChainExport {
  function run(id: string, format: 'pem'): Promise<string>;
  function run(id: string, format: 'p7b'): Promise<Uint8Array<ArrayBuffer>>;
  async function run(id: string, format: 'pem' | 'p7b'): Promise<string | Uint8Array<ArrayBuffer>> {
    if (format === 'p7b') return exportFullChainP7b(ctx, id);
    if (format === 'pem') return exportFullChainPem(ctx, id);
    throw new EngineError('INVALID_ARGUMENT', 'pki: a full chain exports as pem or p7b');
  }
  return run;
}

/** `exportCrl` over a context: one exact result type per format. */
export function crlExport(ctx: EngineContext): CrlExport {
  function run(caId: string, format: 'pem', number?: number): Promise<string>;
  function run(caId: string, format: 'der', number?: number): Promise<Uint8Array<ArrayBuffer>>;
  async function run(caId: string, format: 'pem' | 'der', number?: number): Promise<string | Uint8Array<ArrayBuffer>> {
    if (format === 'der') return exportCrlDer(ctx, caId, number);
    if (format === 'pem') return exportCrlPem(ctx, caId, number);
    throw new EngineError('INVALID_ARGUMENT', 'pki: export format must be pem or der');
  }
  return run;
}
