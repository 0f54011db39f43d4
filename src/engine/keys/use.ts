/**
 * Using keys (A4): encrypt/decrypt, sign/verify, wrap/unwrap, derive, encapsulate.
 * PLACEHOLDER: being implemented; every verb throws UNSUPPORTED until then.
 */
import { EngineError } from '../errors';
import type { KeyId, KeyInfo } from '../types';
import type { EngineContext } from './context';

/** Options for encryption: associated data that must match on decryption. */
export interface EncryptOptions {
  aad?: Uint8Array;
}

export interface DecryptResult {
  plaintext: Uint8Array;
  keyId: KeyId;
  version: number;
}

/**
 * Signature encoding. ECDSA signatures default to `der` (the ASN.1 ECDSA-Sig-Value that
 * openssl, Python and X.509 use); `raw` is WebCrypto's r||s. Other algorithms have one
 * encoding and ignore this.
 */
export interface SignatureOptions {
  encoding?: 'der' | 'raw';
}

export interface NewKeyLabel {
  name: string;
  owner?: string;
}

const todo = (): never => {
  throw new EngineError('UNSUPPORTED', 'keys: not implemented yet');
};

export async function encrypt(_ctx: EngineContext, _id: string, _plaintext: Uint8Array, _opts?: EncryptOptions): Promise<Uint8Array> { return todo(); }
export async function decrypt(_ctx: EngineContext, _ciphertext: Uint8Array, _opts?: EncryptOptions): Promise<DecryptResult> { return todo(); }
export async function encryptText(_ctx: EngineContext, _id: string, _text: string, _opts?: EncryptOptions): Promise<string> { return todo(); }
export async function decryptText(_ctx: EngineContext, _armored: string, _opts?: EncryptOptions & { keyId?: string }): Promise<string> { return todo(); }
export async function sign(_ctx: EngineContext, _id: string, _data: Uint8Array, _opts?: SignatureOptions): Promise<Uint8Array> { return todo(); }
export async function verify(_ctx: EngineContext, _id: string, _data: Uint8Array, _signature: Uint8Array, _opts?: SignatureOptions): Promise<boolean> { return todo(); }
export async function wrapKey(_ctx: EngineContext, _wrappingKeyId: string, _targetKeyId: string): Promise<Uint8Array> { return todo(); }
export async function unwrapKey(_ctx: EngineContext, _wrappingKeyId: string, _wrapped: Uint8Array, _label: NewKeyLabel): Promise<KeyInfo> { return todo(); }
export async function deriveKey(_ctx: EngineContext, _privateKeyId: string, _peerPublicKey: Uint8Array | string, _label: NewKeyLabel): Promise<KeyInfo> { return todo(); }
export async function encapsulate(_ctx: EngineContext, _id: string, _label: NewKeyLabel): Promise<{ ciphertext: Uint8Array; key: KeyInfo }> { return todo(); }
export async function decapsulate(_ctx: EngineContext, _id: string, _ciphertext: Uint8Array, _label: NewKeyLabel): Promise<KeyInfo> { return todo(); }
