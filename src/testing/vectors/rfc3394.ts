/**
 * AES Key Wrap known-answer vectors: RFC 3394 §4 ("Test Vectors"), 4.1–4.6, copied from
 * the RFC text (https://www.rfc-editor.org/rfc/rfc3394#section-4). Each wraps key data
 * under a KEK with the default IV A6A6A6A6A6A6A6A6. Cross-checked locally with
 *
 * ```sh
 * printf '\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff' \
 *   | openssl enc -id-aes256-wrap -K 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F \
 *       -iv A6A6A6A6A6A6A6A6 | xxd -p        # 64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7 (§4.3)
 * ```
 */
export interface Rfc3394Vector {
  /** RFC 3394 section. */
  section: string;
  title: string;
  kekHex: string;
  keyDataHex: string;
  ciphertextHex: string;
}

const KEK128 = '000102030405060708090A0B0C0D0E0F';
const KEK192 = '000102030405060708090A0B0C0D0E0F1011121314151617';
const KEK256 = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';

/** The six vectors of RFC 3394 §4, in section order. */
export const RFC3394_VECTORS: Rfc3394Vector[] = [
  { section: '4.1', title: 'Wrap 128 bits of Key Data with a 128-bit KEK', kekHex: KEK128, keyDataHex: '00112233445566778899AABBCCDDEEFF', ciphertextHex: '1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5' },
  { section: '4.2', title: 'Wrap 128 bits of Key Data with a 192-bit KEK', kekHex: KEK192, keyDataHex: '00112233445566778899AABBCCDDEEFF', ciphertextHex: '96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D' },
  { section: '4.3', title: 'Wrap 128 bits of Key Data with a 256-bit KEK', kekHex: KEK256, keyDataHex: '00112233445566778899AABBCCDDEEFF', ciphertextHex: '64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7' },
  { section: '4.4', title: 'Wrap 192 bits of Key Data with a 192-bit KEK', kekHex: KEK192, keyDataHex: '00112233445566778899AABBCCDDEEFF0001020304050607', ciphertextHex: '031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2' },
  { section: '4.5', title: 'Wrap 192 bits of Key Data with a 256-bit KEK', kekHex: KEK256, keyDataHex: '00112233445566778899AABBCCDDEEFF0001020304050607', ciphertextHex: 'A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1' },
  { section: '4.6', title: 'Wrap 256 bits of Key Data with a 256-bit KEK', kekHex: KEK256, keyDataHex: '00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F', ciphertextHex: '28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21' },
];
