import { ReferenceData } from '../../reference/reference-data.js';
import { LEGACY_PROVINCES, communeInfo, type CommuneInfo, type LegacyProvince } from './address-generator.js';
import {
  ETHNIC_GROUPS,
  GROUP_RELIGION_PERCENT,
  HANOI_HOUSEHOLD_SHARE,
  MINORITY_HANOI_SHARE,
  OLD_ID_PREFIX,
  OLD_PROVINCE_MILLIONS,
  RELIGION_PERCENT,
  southernness,
} from './population-tables.js';
import { WeightedTable } from './seeded-random.js';
import { MINORITY_SURNAMES, SurnamePicker, type SurnameShare } from './vietnamese-names.js';

/**
 * The lookup tables of the population generator, joined once from the reference data (provinces, communes, ID
 * provinces, ethnicities, religions) and the statistics of population-tables.ts: where each group lives, where
 * births are registered, who migrates where.
 */

/** A 2025 province as the generator uses it. */
export interface ProvinceRow {
  code: string;
  name: string;
  communes: readonly CommuneInfo[];
  /** "Commune, Province" strings for home towns in this province. */
  homeTowns: readonly string[];
  /** Pre-2025 provinces merged into this one, weighted by population: where births here were registered. */
  births: WeightedTable<IdProvinceRow>;
  legacy: LegacyProvince | undefined;
}

/** A pre-2025 province whose code starts ID numbers (the birth-registration province). */
export interface IdProvinceRow {
  idCode: string;
  name: string;
  numeric: number;
  south: number;
  oldIdPrefix: number;
  province: ProvinceRow;
}

/** An ethnic group with its surnames, religions and where its households live. */
export interface EthnicGroup {
  name: string;
  code: string;
  minority: boolean;
  surnames: WeightedTable<SurnameShare>;
  religions: WeightedTable<string>;
  residence: WeightedTable<ProvinceRow>;
}

/** Everything the generator looks up, built once per process. */
export interface ReferenceTables {
  ethnicGroups: WeightedTable<EthnicGroup>;
  provinces: ReadonlyMap<string, ProvinceRow>;
  idProvinces: ReadonlyMap<string, IdProvinceRow>;
  /** Birth provinces of people who moved to Hà Nội: the North weighs most. */
  hanoiMigrants: WeightedTable<IdProvinceRow>;
  /** Birth provinces of other internal migrants: by population. */
  migrants: WeightedTable<IdProvinceRow>;
  catholicCode: string;
}

let cachedTables: ReferenceTables | undefined;

/** The tables, built on first use from the reference data and population-tables.ts. */
export function referenceTables(): ReferenceTables {
  cachedTables ??= buildTables();
  return cachedTables;
}

function buildTables(): ReferenceTables {
  const reference = ReferenceData.get();
  const provinces = new Map<string, ProvinceRow>();
  for (const province of reference.provinces) {
    const communes = reference.communesOf(province.code).map((commune) => communeInfo(commune, province.name));
    const placeholder = new WeightedTable<IdProvinceRow>([[undefined as unknown as IdProvinceRow, 1]]);
    provinces.set(province.code, {
      code: province.code,
      name: province.name,
      communes,
      homeTowns: communes.map((info) => info.commune.name + ', ' + province.name),
      births: placeholder,
      legacy: LEGACY_PROVINCES.find((legacy) => legacy.provinceCode === province.code),
    });
  }
  const idProvinces = new Map<string, IdProvinceRow>();
  const birthsByProvince = new Map<string, [IdProvinceRow, number][]>();
  for (const idProvince of reference.idProvinces) {
    const province = provinces.get(idProvince.provinceCode2025);
    const millions = OLD_PROVINCE_MILLIONS[idProvince.idCode];
    const prefix = OLD_ID_PREFIX[idProvince.idCode];
    if (!province || millions === undefined || prefix === undefined) {
      throw new Error(`population tables lack ID province ${idProvince.idCode} (${idProvince.nameBefore2025})`);
    }
    const row: IdProvinceRow = {
      idCode: idProvince.idCode,
      name: idProvince.nameBefore2025,
      numeric: Number(idProvince.idCode),
      south: southernness(idProvince.idCode),
      oldIdPrefix: Number(prefix),
      province,
    };
    idProvinces.set(row.idCode, row);
    const list = birthsByProvince.get(province.code) ?? [];
    list.push([row, millions]);
    birthsByProvince.set(province.code, list);
  }
  const provinceMillions = new Map<string, number>();
  for (const [code, list] of birthsByProvince) {
    provinces.get(code)!.births = new WeightedTable(list);
    provinceMillions.set(code, list.reduce((sum, [, millions]) => sum + millions, 0));
  }
  for (const province of provinces.values()) {
    if (!birthsByProvince.has(province.code)) throw new Error(`no ID province maps to 2025 province ${province.code}`);
  }

  const ethnicTotal = ETHNIC_GROUPS.reduce((sum, group) => sum + group.percent, 0);
  const shareOf = new Map(ETHNIC_GROUPS.map((group) => [group.name, group.percent / ethnicTotal]));
  const surnames = new SurnamePicker(new Map(Object.keys(MINORITY_SURNAMES).map((name) => [name, shareOf.get(name) ?? 0])));
  const religionTables = religionTablesByGroup(shareOf);

  const kinhShare = shareOf.get('Kinh')!;
  const kinhHanoi = (HANOI_HOUSEHOLD_SHARE - (1 - kinhShare) * MINORITY_HANOI_SHARE) / kinhShare;
  const otherMillions = [...provinceMillions].filter(([code]) => code !== '01');
  const otherTotal = otherMillions.reduce((sum, [, millions]) => sum + millions, 0);
  const kinhResidence = new WeightedTable<ProvinceRow>([
    [provinces.get('01')!, kinhHanoi],
    ...otherMillions.map(([code, millions]) => [provinces.get(code)!, ((1 - kinhHanoi) * millions) / otherTotal] as const),
  ]);

  const groups: [EthnicGroup, number][] = ETHNIC_GROUPS.map((row) => {
    const coded = reference.ethnicities.find((ethnicity) => ethnicity.name === row.name);
    if (!coded) throw new Error(`ethnic group "${row.name}" is not in ethnicities-1979.csv`);
    const minority = row.name !== 'Kinh';
    let residence = kinhResidence;
    if (minority) {
      const homeland = row.homeland.map((code) => {
        const province = provinces.get(code);
        if (!province) throw new Error(`homeland ${code} of "${row.name}" is not a 2025 province`);
        return province;
      });
      // The first homeland listed holds most of the group; the weight falls off along the list.
      const weights = homeland.map((_, i) => 1 / (i + 1));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      residence = new WeightedTable<ProvinceRow>([
        [provinces.get('01')!, MINORITY_HANOI_SHARE],
        ...homeland.map((province, i) => [province, ((1 - MINORITY_HANOI_SHARE) * weights[i]) / total] as const),
      ]);
    }
    const group: EthnicGroup = {
      name: row.name,
      code: coded.code,
      minority,
      surnames: surnames.tableFor(row.name),
      religions: religionTables.get(row.name) ?? religionTables.get('')!,
      residence,
    };
    return [group, row.percent];
  });

  const allIdProvinces = [...idProvinces.values()];
  const catholic = reference.religions.find((religion) => religion.name === 'Công giáo');
  if (!catholic) throw new Error('religion "Công giáo" is not in religions-2008.csv');
  return {
    ethnicGroups: new WeightedTable(groups),
    provinces,
    idProvinces,
    hanoiMigrants: new WeightedTable(
      allIdProvinces
        .filter((row) => row.idCode !== '001')
        .map((row) => [row, OLD_PROVINCE_MILLIONS[row.idCode] * (row.numeric < 40 ? 3 : row.numeric < 48 ? 1.5 : 0.4)] as const),
    ),
    migrants: new WeightedTable(allIdProvinces.map((row) => [row, OLD_PROVINCE_MILLIONS[row.idCode]] as const)),
    catholicCode: catholic.code,
  };
}

/**
 * Religion tables by ethnic group ('' = everyone else). Groups with their own figures keep them, and the national
 * mix for the rest is corrected so that the whole population matches RELIGION_PERCENT.
 */
function religionTablesByGroup(shareOf: ReadonlyMap<string, number>): Map<string, WeightedTable<string>> {
  const reference = ReferenceData.get();
  const codeOf = (name: string): string => {
    const religion = reference.religions.find((row) => row.name === name);
    if (!religion) throw new Error(`religion "${name}" is not in religions-2008.csv`);
    return religion.code;
  };
  let genericPopulation = 1;
  const special = new Map<string, number>();
  for (const [group, rows] of Object.entries(GROUP_RELIGION_PERCENT)) {
    const share = shareOf.get(group);
    if (share === undefined) throw new Error(`GROUP_RELIGION_PERCENT names unknown group "${group}"`);
    const listed = rows.reduce((sum, [, percent]) => sum + percent, 0) / 100;
    genericPopulation -= share * listed;
    for (const [name, percent] of rows) special.set(name, (special.get(name) ?? 0) + (share * percent) / 100);
  }
  const generic = RELIGION_PERCENT.map(([name, percent]) => {
    const weight = Math.max(0, percent / 100 - (special.get(name) ?? 0)) / genericPopulation;
    return [codeOf(name), weight] as const;
  });
  const result = new Map<string, WeightedTable<string>>([['', new WeightedTable(generic)]]);
  const genericTotal = generic.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [group, rows] of Object.entries(GROUP_RELIGION_PERCENT)) {
    const listed = rows.reduce((sum, [, percent]) => sum + percent, 0) / 100;
    result.set(
      group,
      new WeightedTable<string>([
        ...rows.map(([name, percent]) => [codeOf(name), percent / 100] as const),
        ...generic.map(([code, weight]) => [code, ((1 - listed) * weight) / genericTotal] as const),
      ]),
    );
  }
  return result;
}
