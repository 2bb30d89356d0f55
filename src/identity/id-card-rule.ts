/** The ID card block (item 14). */
export interface IdCard {
  issueDate: string;
  issuePlace: string;
  /** Null when the card never expires (issued after the holder turned 60). */
  expiryDate: string | null;
}
import { ageOn, anniversary, daysFromCivil, isoDate } from './calendar-days.js';

/**
 * Law on Identification 2023, art. 21 (and the Law on Citizen Identification 2014 before it): a card must be renewed
 * when the holder turns 14, 25, 40 and 60; a card issued within the two years before one of those ages stays valid
 * until the next one; a card issued after the last renewal age (or within two years before it) never expires.
 */
export const CARD_RENEWAL_AGES: readonly number[] = [14, 25, 40, 60];

/** The day a card issued on `issueDay` expires (the holder's birthday at the renewal age), or null for never. */
export function cardExpiryDay(birthDay: number, issueDay: number): number | null {
  const ageAtIssue = ageOn(birthDay, issueDay);
  for (const age of CARD_RENEWAL_AGES) {
    if (ageAtIssue < age - 2) return anniversary(birthDay, age);
  }
  return null;
}

/** Chip cards were issued by the Police Department for Administrative Management of Social Order from 2021. */
const CHIP_CARDS_FROM = daysFromCivil(2021, 1, 1);
/** The Law on Identification 2023 took effect on 1 July 2024; its cards name the Ministry of Public Security. */
const IDENTITY_CARDS_FROM = daysFromCivil(2024, 7, 1);

/** The issuing authority printed on a card issued that day (bar-code cards of 2016-2020, chip cards, then the 2024 card). */
export function cardIssuePlace(issueDay: number): string {
  if (issueDay < CHIP_CARDS_FROM) return 'Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư';
  if (issueDay < IDENTITY_CARDS_FROM) return 'Cục Cảnh sát quản lý hành chính về trật tự xã hội';
  return 'Bộ Công an';
}

export function idCardIssuedOn(birthDay: number, issueDay: number): IdCard {
  const expiry = cardExpiryDay(birthDay, issueDay);
  return {
    issueDate: isoDate(issueDay),
    issuePlace: cardIssuePlace(issueDay),
    expiryDate: expiry === null ? null : isoDate(expiry),
  };
}
