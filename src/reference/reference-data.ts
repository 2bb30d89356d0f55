import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root.js';

/** A province on the administrative map in force since 1 July 2025 (Official letter 915/CTK-CSCL). */
export interface Province {
  code: string;
  name: string;
}

/** A commune (phường, xã, đặc khu) since 1 July 2025 (Official letter 1027/CTK-CSCL). */
export interface Commune {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
}

/** One of the 63 pre-2025 provinces whose three-digit code opens a personal ID number (Circular 07/2016/TT-BCA). */
export interface IdProvince {
  idCode: string;
  nameBefore2025: string;
  /** The 2025 province that absorbed it (Resolution 202/2025/QH15); every merged province kept one old code. */
  provinceCode2025: string;
}

/** A coded entry of a statistics-office list (ethnicities 1979, religions 2008). */
export interface CodedName {
  code: string;
  name: string;
}

/**
 * Pre-2025 statistics code → 2025 province code, after Resolution 202/2025/QH15 (12 June 2025) on the 34 provinces.
 * Provinces not listed kept their own code. Transcribed from the resolution; not part of the dvhcvn data set.
 */
const MERGED_INTO: Record<string, string> = {
  '02': '08', '10': '15', '06': '19', '27': '24', '26': '25', '17': '25', '30': '31', '34': '33', '35': '37',
  '36': '37', '45': '44', '49': '48', '62': '51', '64': '52', '58': '56', '54': '66', '67': '68', '60': '68',
  '70': '75', '74': '79', '77': '79', '72': '80', '87': '82', '83': '86', '84': '86', '89': '91', '93': '92',
  '94': '92', '95': '96',
};

function readCsv(file: string): string[][] {
  const text = readFileSync(join(projectRoot(), 'config', 'reference', file), 'utf8');
  return text
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
}

/** The official code lists copied from the statistics office into `config/reference/` (see its README). */
export class ReferenceData {
  readonly provinces: readonly Province[];
  readonly communes: readonly Commune[];
  readonly idProvinces: readonly IdProvince[];
  readonly ethnicities: readonly CodedName[];
  readonly religions: readonly CodedName[];

  private readonly provinceByCode: ReadonlyMap<string, Province>;
  private readonly communeByCode: ReadonlyMap<string, Commune>;
  private readonly idProvinceByCode: ReadonlyMap<string, IdProvince>;
  private readonly ethnicityByCode: ReadonlyMap<string, CodedName>;
  private readonly religionByCode: ReadonlyMap<string, CodedName>;
  private readonly communesByProvince: ReadonlyMap<string, readonly Commune[]>;

  private constructor() {
    this.provinces = readCsv('provinces-2025.csv').map(([code, name]) => ({ code, name }));
    this.communes = readCsv('communes-2025.csv').map(([code, name, provinceCode, provinceName]) => ({
      code,
      name,
      provinceCode,
      provinceName,
    }));
    this.idProvinces = readCsv('id-province-codes.csv').map(([idCode, nameBefore2025]) => {
      const oldCode = idCode.slice(1);
      return { idCode, nameBefore2025, provinceCode2025: MERGED_INTO[oldCode] ?? oldCode };
    });
    this.ethnicities = readCsv('ethnicities-1979.csv').map(([code, name]) => ({ code, name }));
    this.religions = readCsv('religions-2008.csv').map(([code, name]) => ({ code, name }));

    this.provinceByCode = new Map(this.provinces.map((p) => [p.code, p]));
    this.communeByCode = new Map(this.communes.map((c) => [c.code, c]));
    this.idProvinceByCode = new Map(this.idProvinces.map((p) => [p.idCode, p]));
    this.ethnicityByCode = new Map(this.ethnicities.map((e) => [e.code, e]));
    this.religionByCode = new Map(this.religions.map((r) => [r.code, r]));
    const grouped = new Map<string, Commune[]>();
    for (const commune of this.communes) {
      const list = grouped.get(commune.provinceCode) ?? [];
      list.push(commune);
      grouped.set(commune.provinceCode, list);
    }
    this.communesByProvince = grouped;
  }

  private static loaded: ReferenceData | undefined;

  /** Loaded once per process: the lists are small (3,321 communes) and never change at run time. */
  static get(): ReferenceData {
    ReferenceData.loaded ??= new ReferenceData();
    return ReferenceData.loaded;
  }

  province(code: string): Province | undefined {
    return this.provinceByCode.get(code);
  }

  commune(code: string): Commune | undefined {
    return this.communeByCode.get(code);
  }

  idProvince(idCode: string): IdProvince | undefined {
    return this.idProvinceByCode.get(idCode);
  }

  ethnicity(code: string): CodedName | undefined {
    return this.ethnicityByCode.get(code);
  }

  religion(code: string): CodedName | undefined {
    return this.religionByCode.get(code);
  }

  communesOf(provinceCode: string): readonly Commune[] {
    return this.communesByProvince.get(provinceCode) ?? [];
  }
}
