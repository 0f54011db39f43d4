/**
 * ECDSA DER signature vectors made by OpenSSL (through Python `cryptography` 48.0.0,
 * OpenSSL 3), to check ecdsa-der.ts against a second implementation: each DER signature
 * must convert to r||s that WebCrypto verifies, and convert back to the same bytes.
 *
 * Produced with a fresh key per curve and messages "clavis ecdsa vector N",
 * keeping the first signature that shows each encoding case:
 *
 * ```python
 * from cryptography.hazmat.primitives.asymmetric import ec
 * from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
 * from cryptography.hazmat.primitives import hashes, serialization
 * key = ec.generate_private_key(ec.SECP256R1())            # SECP521R1 + SHA512 for P-521
 * spki = key.public_key().public_bytes(serialization.Encoding.DER,
 *                                      serialization.PublicFormat.SubjectPublicKeyInfo)
 * for i in range(20000):
 *     msg = f"clavis ecdsa vector {i}".encode()
 *     sig = key.sign(msg, ec.ECDSA(hashes.SHA256()))
 *     r, s = decode_dss_signature(sig)
 *     # r >> 255: r needs a 0x00 pad; r < 2**248: r is one byte shorter; and so on
 * ```
 */
export interface EcdsaDerVector {
  curve: 'P-256' | 'P-521';
  /** What this vector exercises. */
  case: string;
  spkiHex: string;
  message: string;
  derHex: string;
}

const P256_A =
  '3059301306072a8648ce3d020106082a8648ce3d0301070342000476ef344591cfcf9f7ac818ee9e12879b6c67640b087cda6e256664a49856cab57a66048686eba2637810e67b92a3631ea33e3f1614d119c42c7bd2d7b2a8f642';
const P256_B =
  '3059301306072a8648ce3d020106082a8648ce3d0301070342000468621456f26f61e68594fd3fcf7c5a71d12d2e2f5f2511d842d07c5baf71b6ae492ff3b16d957df4ad143ef1ad4c2fc0c1b4eba07525b3f5aa0a9ee85488618e';
const P521 =
  '30819b301006072a8648ce3d020106052b810400230381860004010a3752edd11ef596bcdab6b1d7ca05ebdd057dc88818fd7dca79847f46ebd9f7ccbadb2533960643327b51b62ff85e44efabd515a206396b6ddc0ea00663e0d37700149b49fde0d7c715fad8e33ddc77e24096f5d51eb4251b57f6436febac26685b08103a036d6629b41a3fbd2228b8ed312670e9fe306f1d8daf7adbdf8b3cf91812';

/** One vector per DER encoding case (see `case`). */
export const ECDSA_DER_VECTORS: EcdsaDerVector[] = [
  {
    curve: 'P-256',
    case: 'r and s have the high bit set: both get a 0x00 pad (33-byte INTEGERs)',
    spkiHex: P256_A,
    message: 'clavis ecdsa vector 0',
    derHex: '304602210096993b6ad2446aab3631fcb36849452ce37c9fa1538b6d73adc94ebbf5d9842d022100d2d19920be557f074e140ecac9ba8d081d2c724e42ff535f857f8b24e11d0e46',
  },
  {
    curve: 'P-256',
    case: 'r is 31 bytes with the high bit set: r||s has a leading zero byte, DER has 0x00 + 31 bytes',
    spkiHex: P256_A,
    message: 'clavis ecdsa vector 32',
    derHex: '3045022000fa1dc6b3fd7c05facd66fe752d9408795e0a60a46e1d45737a87f6b830fa42022100c392a6371c9bea4a3c97178cf215081867723528d5f4b0c57f3c0a8c95dbd3b1',
  },
  {
    curve: 'P-256',
    case: 'only s has the high bit set',
    spkiHex: P256_A,
    message: 'clavis ecdsa vector 11',
    derHex: '304502203f20ead1feb7faf6dd6e1198e39405309e6e703f48136974c99ed9f20eccff4702210093820509aef7928c1bd059fae6f05eb8262c11532c1cf715a14917d33e0f6c13',
  },
  {
    curve: 'P-256',
    case: 'r is 31 bytes without the high bit: a 31-byte INTEGER, leading zero stripped',
    spkiHex: P256_B,
    message: 'clavis ecdsa vector 592',
    derHex: '3043021f02e83dd61ad3a48e34f3e73e7f70fe22df980191ea51ce34b02da1e697548f0220080e4e815128a118f513106ffa9eb4588fa5a1ab1cdc0970655d64d8e8d09b83',
  },
  {
    curve: 'P-521',
    case: 'P-521: the SEQUENCE needs a long-form length (0x81 0x88)',
    spkiHex: P521,
    message: 'clavis ecdsa vector 0',
    derHex: '308188024201c48419a3a98e85c6ee63dbc3269a0a6d969f1651c378a2201462ba2964e9bb7716b704b6900bbf6a194fa407c3300f9bb6be5c5cf0e8e08466392ede1430f03ba8024200e1069df1f101fd608352b00176ed588ecb58d1daa2396bdd8c4c703e31ef2c22e1b3376d5c1819dcf9170468a86cbdeef33de7d8af725c1679facc66ec63da42a3',
  },
];
