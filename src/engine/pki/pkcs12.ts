/**
 * PKCS #12 (RFC 7292) files for a certificate with its private key and chain, the way
 * `openssl pkcs12 -export` makes them with OpenSSL 3 defaults, so `openssl pkcs12` and
 * Python's `pkcs12.load_key_and_certificates` open them:
 * - the key in a pkcs8ShroudedKeyBag: PBES2, PBKDF2-HMAC-SHA-256 (600,000 iterations),
 *   AES-256-CBC (pkcs8-encrypted.ts), passphrase as UTF-8;
 * - the certificates (leaf first, then intermediates and root) in CertBags, in clear, as
 *   certificates are public; the leaf and key share a localKeyId (SHA-256 of the leaf);
 * - integrity: HMAC-SHA-256 over the AuthenticatedSafe with a key from the PKCS #12 KDF
 *   (RFC 7292 Appendix B, ID 3, passphrase as BMPString), 2048 iterations as OpenSSL does.
 */
import { concat } from '../internal/bytes';
import type { RandomSource } from '../internal/random';
import { encryptPrivateKeyInfo } from '../keys/pkcs8-encrypted';
import * as OID from '../internal/oids';
import { derNull, explicit, octetString, oid, seq, setOf, tlv, uint } from '../internal/der';


/** Iterations of the MAC key derivation (OpenSSL's PKCS12_DEFAULT_ITER). */
export const PKCS12_MAC_ITERATIONS = 2048;
const BMP_STRING = 0x1e;

/** The passphrase as a NUL-terminated big-endian BMPString (RFC 7292 Appendix B.1). */
function bmpPassword(passphrase: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array((passphrase.length + 1) * 2);
  for (let i = 0; i < passphrase.length; i++) {
    const c = passphrase.charCodeAt(i);
    out[i * 2] = c >> 8;
    out[i * 2 + 1] = c & 0xff;
  }
  return out;
}

function repeatTo(b: Uint8Array, v: number): Uint8Array<ArrayBuffer> {
  if (b.length === 0) return new Uint8Array(0);
  const n = v * Math.ceil(b.length / v);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = b[i % b.length]!;
  return out;
}

/**
 * The PKCS #12 KDF with SHA-256 (u = 32, v = 64) for 32 bytes of key: one block is
 * enough, so only A_1 = H^iterations(D ‖ S ‖ P) is needed (RFC 7292 Appendix B.2).
 */
export async function pkcs12Kdf(subtle: SubtleCrypto, id: number, passphrase: string, salt: Uint8Array, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const v = 64;
  const pass = bmpPassword(passphrase);
  try {
    let a: Uint8Array<ArrayBuffer> = concat(new Uint8Array(v).fill(id), repeatTo(salt, v), repeatTo(pass, v));
    for (let i = 0; i < iterations; i++) a = new Uint8Array(await subtle.digest('SHA-256', a));
    return a;
  } finally {
    pass.fill(0);
  }
}

function attributes(localKeyId: Uint8Array, friendlyName: string | undefined): Uint8Array {
  const attrs = [seq(oid(OID.localKeyId), setOf(octetString(localKeyId)))];
  if (friendlyName) {
    const name = new Uint8Array(friendlyName.length * 2);
    for (let i = 0; i < friendlyName.length; i++) {
      name[i * 2] = friendlyName.charCodeAt(i) >> 8;
      name[i * 2 + 1] = friendlyName.charCodeAt(i) & 0xff;
    }
    attrs.push(seq(oid(OID.friendlyName), setOf(tlv(BMP_STRING, name))));
  }
  return setOf(...attrs);
}

const dataContentInfo = (content: Uint8Array) => seq(oid(OID.data), explicit(0, octetString(content)));

/** What goes into a PKCS #12 file. */
export interface Pkcs12Input {
  /** DER PrivateKeyInfo of the leaf's key; the caller wipes it. */
  pkcs8: Uint8Array;
  /** DER certificates, leaf first. */
  certificates: readonly Uint8Array[];
  passphrase: string;
  friendlyName?: string;
}

/** Builds the DER PFX. The caller checks the passphrase rules (at least 8 characters). */
export async function buildPkcs12(subtle: SubtleCrypto, random: RandomSource, input: Pkcs12Input): Promise<Uint8Array<ArrayBuffer>> {
  const leaf = input.certificates[0];
  if (!leaf) throw new RangeError('pkcs12: no certificate');
  const localKeyId = new Uint8Array(await subtle.digest('SHA-256', leaf.slice()));
  const certBags = input.certificates.map((der, i) =>
    seq(oid(OID.certBag), explicit(0, seq(oid(OID.x509Certificate), explicit(0, octetString(der)))), ...(i === 0 ? [attributes(localKeyId, input.friendlyName)] : [])),
  );
  const shrouded = await encryptPrivateKeyInfo(subtle, random, input.pkcs8, input.passphrase);
  const keyBag = seq(oid(OID.shroudedKeyBag), explicit(0, shrouded), attributes(localKeyId, input.friendlyName));
  const authSafe = seq(dataContentInfo(seq(...certBags)), dataContentInfo(seq(keyBag)));

  const salt = random(16);
  const macKey = await pkcs12Kdf(subtle, 3, input.passphrase, salt, PKCS12_MAC_ITERATIONS);
  const hmac = await subtle.importKey('raw', macKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  macKey.fill(0);
  const mac = new Uint8Array(await subtle.sign('HMAC', hmac, authSafe));
  const macData = seq(seq(seq(oid(OID.sha256), derNull()), octetString(mac)), octetString(salt), uint(PKCS12_MAC_ITERATIONS));
  return seq(uint(3), dataContentInfo(authSafe), macData);
}

/** The friendly name a PKCS #12 file carries: printable ASCII of the label, at most 64 characters. */
export function friendlyNameOf(label: string): string {
  return label.replace(/[^\x20-\x7e]/g, '').slice(0, 64);
}
