/**
 * Names people read (key, owner and CA names): one rule for the whole engine so two
 * different records can never display as the same text (issue 14 #12, SECURITY.md C8).
 * A name is trimmed and NFC-normalised; invisible characters (controls, zero-width
 * characters, bidi marks and overrides, tag characters, fillers) and stray combining marks
 * are refused. Owner identity adds lower-casing: "Alice" and "alice" are one owner in the
 * vault, the lifecycle and the KDC.
 *
 * Common case: `const name = labelProblem(v) ?? …` via `normalizeLabel`.
 */

/** Characters that render as nothing (or only move other text) and so let two names look alike. */
function isInvisible(cp: number): boolean {
  return (
    cp <= 0x1f ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0xad || // soft hyphen
    cp === 0x34f || // combining grapheme joiner
    cp === 0x61c || // Arabic letter mark
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x180e ||
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, LRM, RLM
    (cp >= 0x2028 && cp <= 0x202e) || // separators, bidi embeddings and overrides
    (cp >= 0x2060 && cp <= 0x206f) || // word joiner, invisible operators, bidi isolates
    cp === 0x3164 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) || // variation selectors
    cp === 0xfeff ||
    cp === 0xffa0 ||
    (cp >= 0xfff0 && cp <= 0xfffb) ||
    (cp >= 0xe0000 && cp <= 0xe0fff) // tags and supplementary variation selectors
  );
}

const MARK = /\p{M}/u;
const BASE = /[\p{L}\p{N}]/u;
/** More combining marks than this on one character is decoration meant to hide text ("zalgo"). */
const MAX_MARKS_PER_BASE = 3;

/**
 * What is wrong with an already NFC-normalised name, or undefined when it is fine: an
 * invisible character, or a combining mark that does not belong to the letter before it.
 * A mark is stray when it starts the name, follows a space or punctuation, follows an
 * ASCII letter or digit (NFC already composed every accent Latin text needs, so what
 * remains there only disguises the name), or is one of too many on one character.
 */
export function labelProblem(nfc: string): string | undefined {
  let prevBase: string | undefined;
  let marks = 0;
  for (const ch of nfc) {
    const cp = ch.codePointAt(0)!;
    if (isInvisible(cp)) return `an invisible or bidirectional-override character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
    if (MARK.test(ch)) {
      marks++;
      if (prevBase === undefined || prevBase.charCodeAt(0) < 0x80 || marks > MAX_MARKS_PER_BASE) return 'a stray combining mark';
      continue;
    }
    marks = 0;
    prevBase = BASE.test(ch) ? ch : undefined;
  }
  return undefined;
}

/** Trims and NFC-normalises a name; returns it with the problem found, if any. */
export function normalizeLabel(value: string): { value: string; problem?: string } {
  const v = value.normalize('NFC').trim();
  const problem = labelProblem(v);
  return problem ? { value: v, problem } : { value: v };
}

/** The one owner identity: a normalised name, lower-cased (then NFC again, as lower-casing can decompose). */
export function ownerKey(normalized: string): string {
  return normalized.toLowerCase().normalize('NFC');
}
