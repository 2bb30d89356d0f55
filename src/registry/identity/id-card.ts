/** Issuing authority printed on chip ID cards since 2021 (Cục Cảnh sát QLHC về TTXH, Ministry of Public Security). */
export const CARD_ISSUE_PLACE = 'Cục Cảnh sát quản lý hành chính về trật tự xã hội';

/** Ages at which a card must be renewed (Law on Identification 2023, art. 21). */
const RENEWAL_AGES = [14, 25, 40, 60] as const;

/** A card issued within this many years before a renewal age stays valid until the next one (art. 21(2)). */
const GRACE_YEARS = 2;

/**
 * Expiry date (`YYYY-MM-DD`) of a card issued on `issueDate` to someone born on `dateOfBirth` (which may be `YYYY` or
 * `YYYY-MM`: the missing parts count as 1 January / the 1st), or null when it never expires (issued from age 58 on,
 * which carries it past 60).
 */
export function cardExpiryDate(dateOfBirth: string, issueDate: string): string | null {
  const [birthYear, birthMonth = '01', birthDay = '01'] = dateOfBirth.split('-');
  const monthDay = `${birthMonth}-${birthDay === '29' && birthMonth === '02' ? '28' : birthDay}`;
  for (const age of RENEWAL_AGES) {
    const renewal = `${String(Number(birthYear) + age).padStart(4, '0')}-${monthDay}`;
    const graceStart = `${String(Number(birthYear) + age - GRACE_YEARS).padStart(4, '0')}-${monthDay}`;
    if (issueDate < graceStart) return renewal;
  }
  return null;
}
