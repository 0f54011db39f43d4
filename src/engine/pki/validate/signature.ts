/**
 * Signature checks of RFC 5280 6.1.3 (a)(1) and 6.3.3 (f)/(g), through WebCrypto only.
 * The algorithm comes from the signed object's AlgorithmIdentifier and must agree with the
 * signer's key type; SHA-1 is refused unless the caller's profile allows it; DSA is
 * reported as unsupported (WebCrypto has none), never as a pass.
 */
import { derToRaw } from '../../keys/ecdsa-der';
import { DerReader, TAG, bitLength, decodeOid, decodeUnsignedInteger, parseDer } from '../../internal/der';
import { toHex } from '../../internal/bytes';
import * as OID from '../../internal/oids';
import type { Cert } from './parse';

/** What a signature check concluded. */
export type SignatureOutcome = { ok: true } | { ok: false; unsupported?: boolean; reason: string };

/** The public key of a certificate, as the validator sees it. */
export interface KeyInfo {
  kind: 'rsa' | 'ec' | 'ed25519' | 'dsa' | 'other';
  /** RSA modulus bits. */
  bits?: number;
  /** EC named curve (WebCrypto name), 'P-192', 'explicit' or the OID. */
  curve?: string;
}

const CURVES: Record<string, string> = {
  [OID.p256]: 'P-256',
  [OID.p384]: 'P-384',
  [OID.p521]: 'P-521',
  [OID.p192]: 'P-192',
};
const EC_SIZE: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** Describes a certificate's public key (type, RSA size, EC curve). */
export function keyInfo(c: Pick<Cert, 'spkiAlg' | 'publicKey'>): KeyInfo {
  switch (c.spkiAlg.oid) {
    case OID.rsaEncryption:
    case OID.rsassaPss: {
      try {
        const r = new DerReader(parseDer(c.publicKey).content, 'RSAPublicKey');
        return { kind: 'rsa', bits: bitLength(decodeUnsignedInteger(r.expect(TAG.INTEGER, 'modulus'), 'the modulus')) };
      } catch {
        return { kind: 'other' };
      }
    }
    case OID.ecPublicKey: {
      if (!c.spkiAlg.params) return { kind: 'ec', curve: 'missing' };
      const p = parseDer(c.spkiAlg.params);
      if (p.tag !== TAG.OID) return { kind: 'ec', curve: 'explicit' };
      const oid = decodeOid(p, 'a curve');
      return { kind: 'ec', curve: CURVES[oid] ?? oid };
    }
    case OID.ed25519:
      return { kind: 'ed25519' };
    case OID.dsa:
      return { kind: 'dsa' };
    default:
      return { kind: 'other' };
  }
}

interface SigAlg {
  kind: 'rsa' | 'pss' | 'ecdsa' | 'ed25519' | 'dsa' | 'weak';
  hash?: string;
  salt?: number;
}

const HASH_OIDS: Record<string, string> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

function sigAlg(a: { oid: string; params?: Uint8Array }): SigAlg | string {
  const nullOrAbsent = !a.params || (a.params.length === 2 && a.params[0] === TAG.NULL && a.params[1] === 0);
  const rsa = (hash: string): SigAlg | string => (nullOrAbsent ? { kind: 'rsa', hash } : 'RSA signature parameters must be NULL (RFC 4055)');
  const ecdsa = (hash: string): SigAlg | string => (a.params ? 'ECDSA signature parameters must be absent (RFC 5758)' : { kind: 'ecdsa', hash });
  switch (a.oid) {
    case OID.sha1WithRSAEncryption:
      return rsa('SHA-1');
    case OID.sha256WithRSAEncryption:
      return rsa('SHA-256');
    case OID.sha384WithRSAEncryption:
      return rsa('SHA-384');
    case OID.sha512WithRSAEncryption:
      return rsa('SHA-512');
    case OID.ecdsaWithSHA1:
      return ecdsa('SHA-1');
    case OID.ecdsaWithSHA256:
      return ecdsa('SHA-256');
    case OID.ecdsaWithSHA384:
      return ecdsa('SHA-384');
    case OID.ecdsaWithSHA512:
      return ecdsa('SHA-512');
    case OID.ed25519:
      return a.params ? 'Ed25519 signature parameters must be absent (RFC 8410)' : { kind: 'ed25519' };
    case OID.dsaWithSHA1:
    case OID.dsaWithSHA256:
      return { kind: 'dsa' };
    case OID.md5WithRSAEncryption:
    case OID.md2WithRSAEncryption:
      return { kind: 'weak' };
    case OID.rsassaPss: {
      if (!a.params) return 'RSASSA-PSS needs parameters';
      try {
        const r = new DerReader(parseDer(a.params).content, 'RSASSA-PSS-params');
        let hash = 'SHA-1';
        let salt = 20;
        const h = r.optional(0xa0, 'hashAlgorithm');
        if (h) {
          const alg = new DerReader(parseDer(h.content).content, 'hashAlgorithm');
          hash = HASH_OIDS[decodeOid(alg.expect(TAG.OID, 'hash'))] ?? 'unknown';
        }
        r.optional(0xa1, 'maskGenAlgorithm');
        const s = r.optional(0xa2, 'saltLength');
        if (s) {
          const el = parseDer(s.content);
          salt = Number.parseInt(toHex(decodeUnsignedInteger(el, 'saltLength')) || '0', 16);
        }
        return hash === 'unknown' ? 'RSASSA-PSS uses an unknown hash' : { kind: 'pss', hash, salt };
      } catch {
        return 'RSASSA-PSS parameters are malformed';
      }
    }
    default:
      return `the signature algorithm ${a.oid} is not supported`;
  }
}

/** Options of a signature check. */
export interface SignatureOptions {
  allowSha1: boolean;
}

/**
 * Verifies a signature made by `signer`'s key over `tbs`. Key imports are cached on the
 * signer object, so a path builder that tries the same issuer many times imports once.
 */
export async function verifySignature(
  subtle: SubtleCrypto,
  signer: Pick<Cert, 'spki' | 'spkiAlg' | 'publicKey'> & { keyCache?: Map<string, Promise<CryptoKey | undefined>> },
  signed: { tbs: Uint8Array; sigAlg: { oid: string; params?: Uint8Array }; signature: Uint8Array },
  opts: SignatureOptions,
): Promise<SignatureOutcome> {
  const alg = sigAlg(signed.sigAlg);
  if (typeof alg === 'string') return { ok: false, reason: alg };
  if (alg.kind === 'dsa') return { ok: false, unsupported: true, reason: 'DSA signatures are not supported by WebCrypto' };
  if (alg.kind === 'weak') return { ok: false, reason: 'MD5 and MD2 signatures are never accepted' };
  if (alg.hash === 'SHA-1' && !opts.allowSha1) return { ok: false, reason: 'SHA-1 signatures are refused by this profile' };
  const key = keyInfo(signer);
  if (key.kind === 'dsa') return { ok: false, unsupported: true, reason: 'the issuer has a DSA key, which WebCrypto cannot use' };
  let importAlg: RsaHashedImportParams | EcKeyImportParams | Algorithm;
  let verifyAlg: Algorithm | RsaPssParams | EcdsaParams;
  let signature = signed.signature;
  if (alg.kind === 'rsa' || alg.kind === 'pss') {
    if (key.kind !== 'rsa') return { ok: false, reason: 'an RSA signature from a key that is not RSA' };
    const name = alg.kind === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS';
    importAlg = { name, hash: alg.hash! };
    verifyAlg = alg.kind === 'pss' ? ({ name, saltLength: alg.salt! } as RsaPssParams) : { name };
  } else if (alg.kind === 'ecdsa') {
    if (key.kind !== 'ec' || !key.curve || !EC_SIZE[key.curve]) return { ok: false, reason: `an ECDSA signature from a key on ${key.curve ?? 'no'} curve, which is not supported` };
    importAlg = { name: 'ECDSA', namedCurve: key.curve };
    verifyAlg = { name: 'ECDSA', hash: alg.hash! } as EcdsaParams;
    try {
      signature = derToRaw(signature, EC_SIZE[key.curve]!);
    } catch {
      return { ok: false, reason: 'the ECDSA signature is not strict DER' };
    }
  } else {
    if (key.kind !== 'ed25519') return { ok: false, reason: 'an Ed25519 signature from a key that is not Ed25519' };
    importAlg = { name: 'Ed25519' };
    verifyAlg = { name: 'Ed25519' };
  }
  const cacheKey = JSON.stringify(importAlg);
  signer.keyCache ??= new Map();
  let p = signer.keyCache.get(cacheKey);
  if (!p) {
    // RSA-PSS keys with rsaEncryption SPKI import fine; an RSASSA-PSS SPKI is rewritten as rsaEncryption.
    p = subtle.importKey('spki', spkiForImport(signer) as BufferSource, importAlg, false, ['verify']).catch(() => undefined);
    signer.keyCache.set(cacheKey, p);
  }
  const cryptoKey = await p;
  if (!cryptoKey) return { ok: false, reason: 'the issuer public key could not be imported' };
  try {
    const ok = await subtle.verify(verifyAlg, cryptoKey, signature as BufferSource, signed.tbs as BufferSource);
    return ok ? { ok: true } : { ok: false, reason: 'the signature does not verify with the issuer key' };
  } catch {
    return { ok: false, reason: 'the signature could not be checked with the issuer key' };
  }
}

function spkiForImport(c: Pick<Cert, 'spki' | 'spkiAlg' | 'publicKey'>): Uint8Array {
  return c.spki;
}
