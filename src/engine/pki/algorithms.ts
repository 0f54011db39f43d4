/**
 * Signature algorithms and public-key types. Every signature Clavis makes goes through
 * `createSigner`, which fixes the hash (SHA-256 for P-256 and RSA, SHA-384 for P-384)
 * instead of taking pkijs's SHA-1 default (SECURITY.md P2), and uses a pkijs
 * `CryptoEngine` built from the injected WebCrypto, never a global `setEngine` (P12).
 */
import * as pkijs from 'pkijs';
import { EngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import { DerReader, TAG, decodeOid, derNull, oid, seq } from '../internal/der';
import { readSpki, rsaModulusBits } from '../internal/x509-layout';
import * as OID from '../internal/oids';

const engines = new WeakMap<Crypto, pkijs.CryptoEngine>();

/** The pkijs engine for this context's WebCrypto (one per Crypto object). */
export function pkiCrypto(ctx: Pick<EngineContext, 'crypto'>): pkijs.CryptoEngine {
  let e = engines.get(ctx.crypto);
  if (!e) {
    e = new pkijs.CryptoEngine({ name: 'clavis', crypto: ctx.crypto });
    engines.set(ctx.crypto, e);
  }
  return e;
}

/** Signature algorithm OIDs Clavis accepts on what it issues (C4). */
export const SIGNATURE_OIDS = {
  ecdsaWithSHA256: OID.ecdsaWithSHA256,
  ecdsaWithSHA384: OID.ecdsaWithSHA384,
  sha256WithRSAEncryption: OID.sha256WithRSAEncryption,
  rsassaPss: OID.rsassaPss,
} as const;
export const SIGNATURE_ALLOW_LIST: ReadonlySet<string> = new Set(Object.values(SIGNATURE_OIDS));

/** What a SubjectPublicKeyInfo holds. */
export type PublicKeyType =
  | { kind: 'ec'; curve: 'P-256' | 'P-384' | 'P-521' }
  | { kind: 'rsa'; bits: number; pss: boolean }
  | { kind: 'unsupported'; name: string };

/** A parsed SubjectPublicKeyInfo. */
export interface SpkiInfo {
  der: Uint8Array<ArrayBuffer>;
  type: PublicKeyType;
  /** The BIT STRING value without its unused-bits byte (the input to SKI method 1). */
  subjectPublicKey: Uint8Array<ArrayBuffer>;
}

const CURVES: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  [OID.p256]: 'P-256',
  [OID.p384]: 'P-384',
  [OID.p521]: 'P-521',
};
const OTHER_KEYS: Record<string, string> = {
  [OID.ed25519]: 'Ed25519',
  [OID.ed448]: 'Ed448',
  [OID.x25519]: 'X25519',
  [OID.x448]: 'X448',
};

/** Parses a SubjectPublicKeyInfo, read by `readSpki` (internal/x509-layout.ts, the one home). @throws MALFORMED_INPUT */
export function parseSpki(spki: Uint8Array): SpkiInfo {
  const { algorithm, publicKey } = readSpki(spki);
  const alg = new DerReader(algorithm.content, 'AlgorithmIdentifier');
  const o = decodeOid(alg.expect(TAG.OID, 'algorithm'), 'the key algorithm');
  const params = alg.done ? undefined : alg.next('parameters');
  alg.end();
  const subjectPublicKey = publicKey.slice();
  let type: PublicKeyType;
  if (o === OID.ecPublicKey) {
    const curve = params && params.tag === TAG.OID ? CURVES[decodeOid(params, 'the named curve')] : undefined;
    type = curve ? { kind: 'ec', curve } : { kind: 'unsupported', name: 'EC key on an unsupported curve' };
  } else if (o === OID.rsaEncryption || o === OID.rsassaPss) {
    const bitsLen = rsaModulusBits(subjectPublicKey);
    type = { kind: 'rsa', bits: bitsLen, pss: o === OID.rsassaPss };
  } else {
    type = { kind: 'unsupported', name: OTHER_KEYS[o] ?? `key algorithm ${o}` };
  }
  return { der: spki.slice(), type, subjectPublicKey };
}

/** Refuses key types Clavis will not certify (C6, M5). @throws UNSUPPORTED, INVALID_ARGUMENT */
export function assertCertifiableKey(t: PublicKeyType): void {
  if (t.kind === 'unsupported') throw new EngineError('UNSUPPORTED', `pki: Clavis cannot issue certificates for ${t.name} keys`);
  if (t.kind === 'rsa' && t.bits < 2048) throw new EngineError('INVALID_ARGUMENT', `pki: RSA keys must have at least 2048 bits (this one has ${t.bits})`);
  if (t.kind === 'rsa' && t.pss) throw new EngineError('UNSUPPORTED', 'pki: RSA keys with the id-RSASSA-PSS key OID are not accepted; use rsaEncryption (P10)');
}

/** A CA's signing capability: the AlgorithmIdentifier it writes and a sign function. */
export interface Signer {
  /** DER AlgorithmIdentifier, used both inside the TBS and outside (they must be equal). */
  algorithm: Uint8Array<ArrayBuffer>;
  algorithmOid: string;
  hash: 'SHA-256' | 'SHA-384';
  /** Signs the TBS bytes; ECDSA signatures come back DER-encoded (Ecdsa-Sig-Value). */
  sign(tbs: Uint8Array): Promise<Uint8Array<ArrayBuffer>>;
}

/** The hash Clavis pairs with a CA key. @throws UNSUPPORTED */
export function hashFor(key: CryptoKey): 'SHA-256' | 'SHA-384' {
  const a = key.algorithm as EcKeyAlgorithm & RsaHashedKeyAlgorithm;
  if (a.name === 'ECDSA') {
    if (a.namedCurve === 'P-256') return 'SHA-256';
    if (a.namedCurve === 'P-384') return 'SHA-384';
    throw new EngineError('UNSUPPORTED', `pki: a CA key on ${a.namedCurve} is not supported; use P-256 or P-384`);
  }
  if ((a.name === 'RSASSA-PKCS1-v1_5' || a.name === 'RSA-PSS') && a.hash?.name === 'SHA-256') return 'SHA-256';
  throw new EngineError('UNSUPPORTED', `pki: a ${a.name} key cannot sign certificates; use ECDSA P-256/P-384 or RSA with SHA-256`);
}

/** Builds the signer for a CA private key. @throws UNSUPPORTED */
export async function createSigner(ctx: Pick<EngineContext, 'crypto'>, privateKey: CryptoKey): Promise<Signer> {
  const hash = hashFor(privateKey);
  const engine = pkiCrypto(ctx);
  let params: pkijs.CryptoEngineSignatureParams;
  try {
    params = await engine.getSignatureParameters(privateKey, hash);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', `pki: cannot sign with a ${privateKey.algorithm.name} key`, { cause: e });
  }
  const algorithmOid = params.signatureAlgorithm.algorithmId;
  // RFC 5758 §3.2: ECDSA identifiers have absent parameters; RFC 4055 §5: the PKCS #1
  // v1.5 ones have NULL parameters, which pkijs leaves out. Write both exactly.
  const algorithm =
    algorithmOid === SIGNATURE_OIDS.sha256WithRSAEncryption
      ? seq(oid(algorithmOid), derNull())
      : algorithmOid === SIGNATURE_OIDS.rsassaPss
        ? new Uint8Array(params.signatureAlgorithm.toSchema().toBER(false))
        : seq(oid(algorithmOid));
  if (!SIGNATURE_ALLOW_LIST.has(algorithmOid)) throw new EngineError('UNSUPPORTED', `pki: signature algorithm ${algorithmOid} is not allowed`);
  return {
    algorithm,
    algorithmOid,
    hash,
    async sign(tbs) {
      try {
        return new Uint8Array(await engine.signWithPrivateKey(tbs.slice(), privateKey, params.parameters as pkijs.CryptoEngineSignWithPrivateKeyParams));
      } catch (e) {
        throw new EngineError('KEY_STATE', 'pki: the CA key refused to sign', { cause: e });
      }
    },
  };
}
