/**
 * PEM armour (RFC 7468) for key import and export (A5): `encodePem` writes the strict
 * form (64-character lines, LF endings, trailing newline) that openssl writes;
 * `decodePem` reads every block in a text, strictly: matching BEGIN/END labels, standard
 * base64 with correct padding, and no RFC 1421 headers (those mark the legacy
 * OpenSSL-encrypted "Proc-Type: 4,ENCRYPTED" form, which is refused with advice).
 *
 * Common case: `encodePem('PUBLIC KEY', spkiDer)`. Certificates, CSRs and CRLs use the
 * same codec (`toPem`, `fromPemOrDer`): it is Clavis's one PEM codec.
 */
import { EngineError, MalformedInputError } from '../errors';
import { fromBase64, fromUtf8Lenient, toBase64 } from '../internal/bytes';
import { TAG } from '../internal/der';

/** One decoded PEM block. */
export interface PemBlock {
  label: string;
  der: Uint8Array<ArrayBuffer>;
}

/** Characters per base64 line, as RFC 7468 and openssl write. */
export const PEM_LINE_LENGTH = 64;

/** A PEM label: upper-case words separated by single spaces (RFC 7468 §3, as Clavis reads it). */
const LABEL = /^[A-Z0-9]+(?: [A-Z0-9]+)*$/;
/** Longest label Clavis reads; the longest real one ("ENCRYPTED PRIVATE KEY", …) is far shorter. */
const MAX_LABEL_CHARS = 64;

/**
 * Default cap on PEM text, checked before any parsing: four times the largest key file
 * Clavis imports (1 MiB), so every legitimate input fits and a crafted one is refused
 * in constant time. Callers with a smaller structure (a CSR, a peer key) pass their own.
 */
export const MAX_PEM_CHARS = 4 * 1024 * 1024;

/** The PEM text that can carry `derBytes` bytes: base64 (4/3), line breaks, armour and some explanatory text. */
export function pemCharsFor(derBytes: number): number {
  return Math.ceil(derBytes / 3) * 4 * (65 / 64) + 4096;
}

/**
 * The label of a `-----BEGIN x-----` / `-----END x-----` line, or undefined when the
 * line is not one. Plain string operations, no regex backtracking: linear in the line.
 */
function armourLabel(line: string, kind: 'BEGIN' | 'END'): string | undefined {
  const open = `-----${kind} `;
  if (!line.startsWith(open) || !line.endsWith('-----') || line.length < open.length + 5) return undefined;
  const label = line.slice(open.length, line.length - 5);
  if (label.length === 0 || label.length > MAX_LABEL_CHARS || !LABEL.test(label)) return undefined;
  return label;
}

/** The text's lines, trimmed, split on LF or CRLF: linear time, however the text is crafted. */
function linesOf(text: string): string[] {
  return text.split('\n').map((l) => l.trim());
}

/** Armours DER bytes under a label, e.g. `PUBLIC KEY`. */
export function encodePem(label: string, der: Uint8Array): string {
  if (!LABEL.test(label)) throw new RangeError('PEM label must be upper-case words');
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += PEM_LINE_LENGTH) lines.push(b64.slice(i, i + PEM_LINE_LENGTH));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** True when the text contains a line that starts a PEM block (linear time: a line scan, no regex over the text). */
export function looksLikePem(text: string): boolean {
  if (!text.includes('-----BEGIN ')) return false;
  return linesOf(text).some((l) => l.startsWith('-----BEGIN '));
}

/**
 * Decodes every PEM block in `text`. Text outside blocks is ignored (RFC 7468 §2
 * allows explanatory text); inside a block only base64 lines are allowed. Runs in time
 * linear in the text however it is crafted (issue 14 #9: every line is looked at a
 * bounded number of times, with no backtracking regex over the whole text), and refuses
 * text longer than `maxChars` before looking at it.
 * @throws MALFORMED_INPUT (too large, no block, missing or mismatched END line, bad
 *   base64, empty body), UNSUPPORTED (legacy encrypted PEM with Proc-Type/DEK-Info headers).
 */
export function decodePem(text: string, opts: { maxChars?: number } = {}): PemBlock[] {
  const maxChars = opts.maxChars ?? MAX_PEM_CHARS;
  if (typeof text !== 'string') throw new MalformedInputError('pem: PEM input must be text');
  if (text.length > maxChars) throw new MalformedInputError(`pem: the text is larger than any PEM file Clavis reads here (${maxChars} characters)`);
  const lines = linesOf(text);
  const blocks: PemBlock[] = [];
  let sawEnd = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('-----')) continue;
    const label = armourLabel(line, 'BEGIN');
    if (label === undefined) {
      if (line.startsWith('-----BEGIN')) throw new MalformedInputError('pem: a BEGIN line is malformed');
      if (line.startsWith('-----END')) sawEnd = true;
      continue;
    }
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const bodyLine = lines[j]!;
      if (bodyLine.startsWith('-----')) break;
      if (bodyLine.includes(':')) {
        if (/^(Proc-Type|DEK-Info)\s*:/i.test(bodyLine)) {
          throw new EngineError(
            'UNSUPPORTED',
            `pem: this ${label} uses OpenSSL's legacy PEM encryption (Proc-Type/DEK-Info), which Clavis does not read; convert it with "openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in old.pem -out new.pem"`,
          );
        }
        throw new MalformedInputError(`pem: the ${label} block contains a header line, which key PEM files do not have`);
      }
      body.push(bodyLine);
    }
    const endLabel = j < lines.length ? armourLabel(lines[j]!, 'END') : undefined;
    if (endLabel === undefined) throw new MalformedInputError(`pem: the BEGIN ${label} line has no matching END ${label} line (the text may be cut off)`);
    if (endLabel !== label) throw new MalformedInputError(`pem: BEGIN ${label} is closed by END ${endLabel}`);
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
    if (sawEnd) throw new MalformedInputError('pem: an END line has no BEGIN line');
    throw new MalformedInputError('pem: no "-----BEGIN ...-----" line was found');
  }
  return blocks;
}

/** Armours DER bytes under a label (argument order of the CA code: DER first). */
export function toPem(der: Uint8Array, label: string): string {
  return encodePem(label, der);
}

/** Largest certificate Clavis reads (a CRL is read from storage, never through here). */
export const MAX_CERT_DER_BYTES = 1024 * 1024;

/**
 * DER from PEM text (one of `labels`) or from bytes that are already DER (or PEM bytes).
 * The size cap is checked before anything is parsed, and PEM goes through `decodePem`,
 * so a crafted text cannot stall the tab (issue 14 #9).
 * @throws MALFORMED_INPUT
 */
export function fromPemOrDer(input: string | Uint8Array, labels: string[], what: string, maxDerBytes = MAX_CERT_DER_BYTES): Uint8Array<ArrayBuffer> {
  const maxChars = pemCharsFor(maxDerBytes);
  const tooLarge = () => new MalformedInputError(`pki: the ${what} is too large`);
  let text: string | undefined;
  if (typeof input === 'string') {
    if (input.length > maxChars) throw tooLarge();
    text = input;
  } else if (input.length > 0 && input[0] === 0x2d) {
    if (input.length > maxChars) throw tooLarge();
    text = fromUtf8Lenient(input);
  } else if (input.length > 0 && input[0] === TAG.SEQUENCE) {
    if (input.length > maxDerBytes) throw tooLarge();
    return input.slice();
  }
  if (text === undefined) throw new MalformedInputError(`pki: the ${what} is neither PEM nor DER`);
  let blocks: PemBlock[];
  try {
    blocks = decodePem(text, { maxChars });
  } catch (e) {
    if (e instanceof EngineError && e.code !== 'MALFORMED_INPUT') throw e;
    throw new MalformedInputError(`pki: expected a PEM ${labels[0]} block for the ${what} (${e instanceof Error ? e.message.replace(/^pem: /, '') : 'unreadable'})`, { cause: e });
  }
  const block = blocks.find((b) => labels.includes(b.label));
  if (!block) throw new MalformedInputError(`pki: expected a PEM ${labels[0]} block for the ${what}`);
  if (block.der.length > maxDerBytes) throw tooLarge();
  return block.der;
}
