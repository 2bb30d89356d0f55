/**
 * Name matching for the verify flow. Real callers often send names in unaccented upper case ("NGUYEN VAN AN"), so the
 * registry must tolerate case and diacritics and say that it did: a match is either `exact` or `normalized`.
 */

/** How a requested name relates to the stored one. */
export type NameMatch = 'exact' | 'normalized' | 'mismatch';

/**
 * Combining diacritical marks (U+0300-U+036F). After NFD every Vietnamese tone mark (grave, acute, tilde, hook above,
 * dot below) and vowel modifier (circumflex, breve, horn) is one of these, so removing them leaves the base letter.
 */
const COMBINING_MARKS = /[\u0300-\u036f]/g;
/** Any run of Unicode white space (includes NBSP and ideographic space, common in pasted text). */
const WHITESPACE_RUN = /\s+/g;
/** Zero-width characters that copy-paste from PDFs and web forms leaves inside names; they carry no letter. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
/**
 * Letters that fold to `d`: `đ` (U+0111, lower-case Vietnamese `Đ`) and `ð` (U+00F0, lower-case `Ð` U+00D0, the
 * Icelandic eth). `Ð` looks exactly like `Đ`, so people pick it from symbol tables in its place, and text
 * in the Vietnamese code page Windows-1258 (Đ = 0xD0, đ = 0xF0) read as Windows-1252 or Latin-1 turns into Ð and ð.
 * The lower-case `ð` is folded as well: `toLowerCase` has already turned every `Ð` into `ð` at this step, a
 * mis-decoded `đ` arrives as `ð`, and no Vietnamese name contains an eth, so it only ever stands for `đ`.
 */
const LETTERS_FOLDED_TO_D = /[\u0111\u00f0]/g;

/**
 * Folds a name to its comparison key: Unicode-decomposed, Vietnamese diacritics removed, đ/Đ (and the look-alike
 * Ð/ð) → d, lower case, white space collapsed to single spaces and trimmed. "  Nguyễn  Văn ĐẠT " → "nguyen van dat".
 *
 * `đ` and `ð` need their own step: each is a separate letter, not `d` plus a mark, so NFD leaves them alone.
 * Called for every verify request (~10k/s), so it is a fixed chain of native string passes without per-character JS.
 */
export function foldName(name: string): string {
  // Lower case first: a few capitals lower to a letter plus a combining mark (İ → i + U+0307), which NFD then strips.
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(ZERO_WIDTH, '')
    .replace(LETTERS_FOLDED_TO_D, 'd')
    .replace(WHITESPACE_RUN, ' ')
    .trim();
}

/**
 * Compares a requested name with the stored one.
 *
 * - `exact`: the strings are identical, code unit for code unit. The registry stores names in NFC (see
 *   `CitizenRecord.fullName`), so this means the caller sent the NFC, single-spaced, accented form.
 * - `normalized`: equal only after {@link foldName}, i.e. after folding case, white space, Unicode normalization form
 *   (an NFD request against the NFC record is `normalized`, not `exact`) and Vietnamese diacritics including đ → d.
 *   Folding conflates distinct names ("Ân" and "An"), which is why the answer must say that it was needed.
 * - `mismatch`: anything else.
 *
 * @param requested the name the caller sent
 * @param stored the registry's full name (NFC, single-spaced)
 */
export function compareNames(requested: string, stored: string): NameMatch {
  if (requested === stored) return 'exact';
  return foldName(requested) === foldName(stored) ? 'normalized' : 'mismatch';
}
