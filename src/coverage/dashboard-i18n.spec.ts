import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectRoot } from '../reference/project-root.js';
import { DASHBOARD_LANGUAGES, DASHBOARD_TEXTS, dashboardLanguageOf, dashboardText } from './dashboard-i18n.js';

const publicFile = (name: string) => readFileSync(join(projectRoot(), 'public', 'dashboard', name), 'utf8');
const controller = readFileSync(join(projectRoot(), 'src', 'coverage', 'dashboard.controller.ts'), 'utf8');

/** Every key the page, its script and the sign-in form name. */
function keysUsed(): Set<string> {
  const used = new Set<string>();
  for (const match of publicFile('index.html').matchAll(/data-i18n="([^"]+)"/g)) used.add(match[1]);
  const script = publicFile('dashboard.js');
  for (const match of script.matchAll(/\bt\('([\w.]*\w)'/g)) used.add(match[1]);
  // Keys the script builds from an API value: each prefix with every value the API can give.
  for (const match of script.matchAll(/t\('([\w]+\.)' \+/g)) {
    for (const key of Object.keys(DASHBOARD_TEXTS.en)) if (key.startsWith(match[1])) used.add(key);
  }
  for (const match of controller.matchAll(/\bt\('([\w.]+)'\)|'(login\.\w+)'/g)) used.add(match[1] ?? match[2]);
  return used;
}

describe("the dashboard's catalogue", () => {
  it('has the same keys in every language, none empty', () => {
    const english = Object.keys(DASHBOARD_TEXTS.en).sort();
    for (const language of DASHBOARD_LANGUAGES) {
      expect(Object.keys(DASHBOARD_TEXTS[language]).sort()).toEqual(english);
      for (const [key, text] of Object.entries(DASHBOARD_TEXTS[language])) expect([key, text.trim().length > 0]).toEqual([key, true]);
    }
  });

  it('uses the same places ({name}) in every language of a text', () => {
    const places = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(DASHBOARD_TEXTS.en) as (keyof typeof DASHBOARD_TEXTS.en)[]) {
      expect([key, places(DASHBOARD_TEXTS.vi[key])]).toEqual([key, places(DASHBOARD_TEXTS.en[key])]);
    }
  });

  it('holds every key the page, its script and the sign-in form use', () => {
    const missing = [...keysUsed()].filter((key) => !(key in DASHBOARD_TEXTS.en));
    expect(missing).toEqual([]);
    expect(keysUsed().size).toBeGreaterThan(60);
  });

  it('has statuses, stages, verdicts and outcomes for every value the API gives', async () => {
    const { COVERAGE_STATUSES, INTEGRATION_STAGES } = await import('./coverage.dto.js');
    const { JOURNAL_OUTCOMES } = await import('../journal/call-outcome.js');
    const keys = [...COVERAGE_STATUSES.map((s) => `status.${s}`), ...INTEGRATION_STAGES.map((s) => `stage.${s}`), ...JOURNAL_OUTCOMES.map((o) => `outcome.${o}`)];
    expect(keys.filter((key) => !(key in DASHBOARD_TEXTS.en))).toEqual([]);
  });

  it('fills places, and picks the language from lang, then Accept-Language, else Vietnamese', () => {
    expect(dashboardText('en', 'drill.title', { code: 'P06-04' })).toBe('Service P06-04');
    expect(dashboardLanguageOf('en', 'vi')).toBe('en');
    expect(dashboardLanguageOf(undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(dashboardLanguageOf('fr', 'fr-FR')).toBe('vi');
  });
});
