/**
 * PKCS#10 certificate signing requests (E2): create one for a vault key, and read and
 * verify one from another tool (`openssl req -new`). Issuance from a CSR takes only the
 * subject, the public key and (when the profile allows) the SAN; every other requested
 * extension — cA:true, keyCertSign, odd EKUs — is ignored (SECURITY.md P16, C5).
 *
 * Common case: `pki.issueFromCsr({ caId, csr: pemText, profile: 'tls-server' })`.
 */
import * as pkijs from 'pkijs';
import { EngineError, MalformedInputError } from '../errors';
import type { EngineContext } from '../keys/context';
import { loadKey } from '../keys/vault';
import { assertOperationAllowed } from '../lifecycle/gates';
import { assertCertifiableKey, createSigner, parseSpki, pkiCrypto, type PublicKeyType } from './algorithms';
import { DerReader, TAG, decodeOid, implicitConstructed, oid, seq, setOf, uint } from '../internal/der';
import { readCsrInfo, readSigned, type CsrInfoFields } from '../internal/x509-layout';
import { fromPemOrDer, toPem } from '../keys/pem';
import { parseAsn1 } from './parse-asn1';
import { OID, checkSans, formatIp, sanCount, subjectAltName, type SubjectAltNames } from './extensions';
import { assembleSigned } from './issue';
import { decodeName, encodeName, formatName, type DistinguishedName, type NameEntry } from './names';
import { decodeExtensionList, decodeGeneralNames } from './validate/extension-values';

/** What a CSR asks for, after its proof of possession was checked. */
export interface CsrInfo {
  subject: string;
  subjectEntries: NameEntry[];
  keyType: PublicKeyType;
  /** SANs requested through extensionRequest. */
  sans: Required<SubjectAltNames>;
  /** OIDs of every requested extension (informational: only SAN is ever honoured). */
  requestedExtensions: string[];
  /** True: the signature verified with the enclosed key (CSRs that fail are refused, not returned). */
  signatureValid: true;
}

/** A verified CSR: its info plus the parts issuance needs. */
export interface ParsedCsr {
  info: CsrInfo;
  spkiDer: Uint8Array<ArrayBuffer>;
  subjectDer: Uint8Array;
}

function sansFromGeneralNames(value: Uint8Array): Required<SubjectAltNames> {
  const out: Required<SubjectAltNames> = { dns: [], ip: [], email: [], uri: [] };
  for (const g of decodeGeneralNames(value)) {
    if (g.type === 'dns') out.dns.push(g.value);
    else if (g.type === 'ip') out.ip.push(formatIp(g.bytes));
    else if (g.type === 'email') out.email.push(g.value);
    else if (g.type === 'uri') out.uri.push(g.value);
  }
  return out;
}

/** Largest certificate request Clavis reads, in DER bytes. */
export const MAX_CSR_DER_BYTES = 64 * 1024;

/**
 * Parses a CSR (PEM or DER) and verifies its proof of possession.
 * @throws MALFORMED_INPUT, SIGNATURE_INVALID (bad signature), UNSUPPORTED (key type)
 */
export async function readCsr(ctx: EngineContext, input: string | Uint8Array): Promise<ParsedCsr> {
  // The cap is checked before the PEM is decoded or the DER parsed (issue 14 #9).
  const der = fromPemOrDer(input, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'certificate request', MAX_CSR_DER_BYTES);
  let req: pkijs.CertificationRequest;
  let info: CsrInfoFields;
  try {
    req = new pkijs.CertificationRequest({ schema: parseAsn1(der, 'certificate request') });
    info = readCsrInfo(readSigned(der, 'certificate request').tbs);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('pki: the certificate request could not be parsed', { cause: e });
  }
  const spki = parseSpki(info.spki.encoded);
  assertCertifiableKey(spki.type);
  let ok = false;
  try {
    ok = await req.verify(pkiCrypto(ctx));
  } catch (e) {
    throw new EngineError('SIGNATURE_INVALID', 'pki: the certificate request signature could not be checked', { cause: e });
  }
  if (!ok) throw new EngineError('SIGNATURE_INVALID', 'pki: the certificate request signature does not verify (no proof of possession)');
  const sigOid = req.signatureAlgorithm.algorithmId;
  if (sigOid === OID.sha1WithRSAEncryption || sigOid === OID.ecdsaWithSHA1) throw new EngineError('UNSUPPORTED', 'pki: SHA-1 signed requests are refused');
  const requestedExtensions: string[] = [];
  let sans: Required<SubjectAltNames> = { dns: [], ip: [], email: [], uri: [] };
  const attrs = new DerReader(info.attributes?.content ?? new Uint8Array(0), 'attributes');
  while (!attrs.done) {
    const attr = attrs.sequence('Attribute');
    const type = decodeOid(attr.expect(TAG.OID, 'type'), 'an attribute type');
    const values = attr.set('values');
    attr.end();
    if (type !== OID.extensionRequest) continue;
    while (!values.done) {
      for (const x of decodeExtensionList(values.next('extensionRequest'))) {
        requestedExtensions.push(x.oid);
        if (x.oid === OID.subjectAltName) sans = sansFromGeneralNames(x.value);
      }
    }
  }
  const subjectDer = info.subject.encoded;
  const entries = decodeName(subjectDer);
  return {
    info: { subject: formatName(entries), subjectEntries: entries, keyType: spki.type, sans, requestedExtensions, signatureValid: true },
    spkiDer: spki.der,
    subjectDer,
  };
}

/** Parameters of a CSR for a vault key. */
export interface CreateCsrParams {
  subject: DistinguishedName;
  sans?: SubjectAltNames;
}

/**
 * Creates a PKCS#10 request signed by a vault key (ECDSA P-256/P-384 or RSA signing keys).
 * @throws KEY_NOT_FOUND, UNSUPPORTED, INVALID_ARGUMENT
 */
export async function createCsr(ctx: EngineContext, keyId: string, p: CreateCsrParams): Promise<{ pem: string; der: Uint8Array<ArrayBuffer> }> {
  const key = await loadKey(ctx, keyId);
  if (!key.material.privateKey || !key.material.publicKey) throw new EngineError('KEY_STATE', 'pki: a request needs a key pair');
  if (!key.info.operations.includes('sign')) {
    throw new EngineError('UNSUPPORTED', `pki: a request is signed by its key; ${key.template.label} keys cannot sign (issue their certificate from the vault key instead)`);
  }
  // B2: signing the request is a use of the key; its lifecycle must allow it.
  assertOperationAllowed(key.info, 'sign', ctx.clock.now());
  const signer = await createSigner(ctx, key.material.privateKey);
  const spki = parseSpki(new Uint8Array(await ctx.subtle.exportKey('spki', key.material.publicKey)));
  assertCertifiableKey(spki.type);
  const subject = encodeName(p.subject, 'subject');
  const sans = checkSans(p.sans, true);
  const attrs: Uint8Array[] = [];
  if (sanCount(sans) > 0) attrs.push(seq(oid(OID.extensionRequest), setOf(seq(subjectAltName(sans, false)))));
  // attributes [0] IMPLICIT SET OF Attribute: present even when empty (RFC 2986).
  const infoDer = seq(uint(0), subject, spki.der, implicitConstructed(0, ...attrs));
  const der = assembleSigned(infoDer, signer.algorithm, await signer.sign(infoDer));
  return { pem: toPem(der, 'CERTIFICATE REQUEST'), der };
}


