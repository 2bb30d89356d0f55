/**
 * Name matching for the verify flow. Real callers often send names in unaccented upper case ("NGUYEN VAN AN"), so the
 * registry must tolerate case and diacritics and say that it did: a match is either `exact` or `normalized`.
 */

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
 * Folds a name to its comparison key: Unicode-decomposed, Vietnamese diacritics removed, đ/Đ → d, lower case, white
 * space collapsed to single spaces and trimmed. "  Nguyễn  Văn ĐẠT " → "nguyen van dat".
 *
 * `đ` needs its own step: it is a separate letter (U+0111), not `d` plus a mark, so NFD leaves it alone.
 * Called for every verify request (~10k/s), so it is a fixed chain of native string passes without per-character JS.
 */
export function foldName(name: string): string {
  // Lower case first: a few capitals lower to a letter plus a combining mark (İ → i + U+0307), which NFD then strips.
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(ZERO_WIDTH, '')
    .replaceAll('đ', 'd')
    .replace(WHITESPACE_RUN, ' ')
    .trim();
}

