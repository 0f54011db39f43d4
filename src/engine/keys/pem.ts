/**
 * PEM armour (RFC 7468) for key import and export (A5): `encodePem` writes the strict
 * form (64-character lines, LF endings, trailing newline) that openssl writes;
 * `decodePem` reads every block in a text, strictly: matching BEGIN/END labels, standard
 * base64 with correct padding, and no RFC 1421 headers (those mark the legacy
 * OpenSSL-encrypted "Proc-Type: 4,ENCRYPTED" form, which is refused with advice).
 *
 * Common case: `encodePem('PUBLIC KEY', spkiDer)`.
 */
import { EngineError, MalformedInputError } from '../errors';
import { fromBase64, toBase64 } from '../internal/bytes';

/** One decoded PEM block. */
export interface PemBlock {
  label: string;
  der: Uint8Array<ArrayBuffer>;
}

/** Characters per base64 line, as RFC 7468 and openssl write. */
export const PEM_LINE_LENGTH = 64;

const BEGIN = /^-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----$/;
const END = /^-----END ([A-Z0-9]+(?: [A-Z0-9]+)*)-----$/;

/** Armours DER bytes under a label, e.g. `PUBLIC KEY`. */
export function encodePem(label: string, der: Uint8Array): string {
  if (!/^[A-Z0-9]+(?: [A-Z0-9]+)*$/.test(label)) throw new RangeError('PEM label must be upper-case words');
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += PEM_LINE_LENGTH) lines.push(b64.slice(i, i + PEM_LINE_LENGTH));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** True when the text contains a PEM BEGIN line. */
export function looksLikePem(text: string): boolean {
  return /(^|\n)\s*-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/**
 * Decodes every PEM block in `text`. Text outside blocks is ignored (RFC 7468 §2
 * allows explanatory text); inside a block only base64 lines are allowed.
 * @throws MALFORMED_INPUT (no block, missing or mismatched END line, bad base64, empty
 *   body), UNSUPPORTED (legacy encrypted PEM with Proc-Type/DEK-Info headers).
 */
export function decodePem(text: string): PemBlock[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]!);
    if (!begin) {
      if (lines[i]!.startsWith('-----BEGIN')) throw new MalformedInputError('pem: a BEGIN line is malformed');
      continue;
    }
    const label = begin[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.startsWith('-----')) break;
      if (line.includes(':')) {
        if (/^(Proc-Type|DEK-Info)\s*:/i.test(line)) {
          throw new EngineError(
            'UNSUPPORTED',
            `pem: this ${label} uses OpenSSL's legacy PEM encryption (Proc-Type/DEK-Info), which Clavis does not read; convert it with "openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in old.pem -out new.pem"`,
          );
        }
        throw new MalformedInputError(`pem: the ${label} block contains a header line, which key PEM files do not have`);
      }
      body.push(line);
    }
    const end = j < lines.length ? END.exec(lines[j]!) : null;
    if (!end) throw new MalformedInputError(`pem: the BEGIN ${label} line has no matching END ${label} line (the text may be cut off)`);
    if (end[1] !== label) throw new MalformedInputError(`pem: BEGIN ${label} is closed by END ${end[1]}`);
    const b64 = body.join('');
    if (b64.length === 0) throw new MalformedInputError(`pem: the ${label} block is empty`);
    if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      throw new MalformedInputError(`pem: the ${label} block is not valid base64 (stray characters or wrong padding)`);
    }
    let der: Uint8Array<ArrayBuffer>;
    try {
      der = fromBase64(b64);
    } catch (e) {
      throw new MalformedInputError(`pem: the ${label} block is not valid base64`, { cause: e });
    }
    blocks.push({ label, der });
    i = j;
  }
  if (blocks.length === 0) {
    if (/-----END [A-Z0-9 ]+-----/.test(text)) throw new MalformedInputError('pem: an END line has no BEGIN line');
    throw new MalformedInputError('pem: no "-----BEGIN ...-----" line was found');
  }
  return blocks;
}
