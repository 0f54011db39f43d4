// Sign and verify (or MAC) with vault keys: ECDSA (DER or raw), RSA-PSS, RSASSA-PKCS1-v1_5, Ed25519, ML-DSA, HMAC.
import { EngineError } from '../errors';
import { assertBytes } from '../internal/assert';
import { copy } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { EngineContext } from './context';
import { derToRaw, EC_SCALAR_BYTES, rawToDer, type NamedCurve } from './ecdsa-der';
import type { KeyTemplate } from './templates';
import { arrayBacked, need, requireOperation, type SignatureOptions } from './use-common';
import { loadKey } from './vault';

export function curveOf(t: KeyTemplate): NamedCurve {
  return (t.algorithm as EcKeyGenParams).namedCurve as NamedCurve;
}

function signParams(t: KeyTemplate): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  switch (t.family) {
    case 'ecdsa': {
      const curve = curveOf(t);
      return { name: 'ECDSA', hash: curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512' };
    }
    case 'rsa-pss':
      return { name: 'RSA-PSS', saltLength: 32 };
    case 'rsa-pkcs1':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'hmac':
      return { name: 'HMAC' };
    default:
      return { name: (t.algorithm as Algorithm).name };
  }
}

function encodingOf(opts: SignatureOptions | undefined): 'der' | 'raw' {
  const e = opts?.encoding ?? 'der';
  if (e !== 'der' && e !== 'raw') throw new EngineError('INVALID_ARGUMENT', 'keys: signature encoding is "der" or "raw"');
  return e;
}

/**
 * Signs (or, for HMAC keys, MACs) bytes. ECDSA hashes with SHA-256/384/512 for
 * P-256/384/521 and returns DER unless `encoding: 'raw'`; RSA-PSS uses a 32-byte salt.
 * @throws KEY_NOT_FOUND, KEY_STATE (not a signing key, or a public key only)
 */
export async function sign(ctx: EngineContext, id: string, data: Uint8Array, opts?: SignatureOptions): Promise<Uint8Array> {
  assertBytes(data, 'data');
  const encoding = encodingOf(opts);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'sign');
  const key = k.template.family === 'hmac' ? need(k.material.secret, 'secret key') : need(k.material.privateKey, 'private key');
  const sig = new Uint8Array(
    await attempt('UNSUPPORTED', `keys: this browser could not sign with ${k.template.label}`, () => ctx.subtle.sign(signParams(k.template), key, arrayBacked(data))),
  );
  return k.template.family === 'ecdsa' && encoding === 'der' ? rawToDer(sig) : sig;
}

/**
 * Checks a signature or MAC. Returns false when it does not verify, including a DER
 * ECDSA signature that is not strict DER or a signature of the wrong length.
 * @throws KEY_NOT_FOUND, KEY_STATE (not a signing key)
 */
export async function verify(ctx: EngineContext, id: string, data: Uint8Array, signature: Uint8Array, opts?: SignatureOptions): Promise<boolean> {
  assertBytes(data, 'data');
  assertBytes(signature, 'signature');
  const encoding = encodingOf(opts);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'verify', opts);
  const key = k.template.family === 'hmac' ? need(k.material.secret, 'secret key') : need(k.material.publicKey, 'public key');
  let sig: Uint8Array<ArrayBuffer> = copy(signature);
  if (k.template.family === 'ecdsa') {
    const size = EC_SCALAR_BYTES[curveOf(k.template)];
    if (encoding === 'der') {
      try {
        sig = derToRaw(signature, size);
      } catch {
        return false;
      }
    } else if (sig.length !== 2 * size) {
      return false;
    }
  }
  try {
    // subtle.verify compares MACs in constant time.
    return await ctx.subtle.verify(signParams(k.template), key, sig, arrayBacked(data));
  } catch {
    // Engines differ on whether a wrong-length signature throws or returns false.
    return false;
  }
}
