import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KIND_VERDICTS, LABEL_KINDS, verdictReachedSql, type LabelKind } from './dossier-labels.js';
import type { QualityQuery } from './dossier-quality.dto.js';

/** The confusion counts of one label kind, and the dossiers that could not be scored. */
export interface KindConfusion {
  kind: LabelKind;
  dossiers: number;
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  trueNegatives: number;
}

export interface QualityCounts {
  labelled: number;
  scored: number;
  pending: number;
  unscored: number;
  kinds: KindConfusion[];
}

/** Dead letters: the job gave up, so no verdict on the applicant's data was reached. */
const UNSCORED_REASONS = ['registry_unreachable', 'unprocessable', 'worker_lost'];

/** How the verifier did on generated dossiers, against their labels. */
@Injectable()
export class DossierQualityRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One aggregate over the labelled dossiers that match the filters: each scored dossier is judged once against its
   * own label (`correct`), then every kind counts, against its verdict class, TP (its own, correct), FN (its own,
   * not correct), FP (another kind's, not correct, landed in this kind's class) and TN (the rest of the others).
   */
  async confusionByKind(query: QualityQuery): Promise<QualityCounts> {
    const values: unknown[] = [LABEL_KINDS, LABEL_KINDS.map((kind) => KIND_VERDICTS[kind]), UNSCORED_REASONS];
    const where = ['label IS NOT NULL'];
    const add = (condition: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (query.serviceCode) add((p) => `service_code = ${p}`, query.serviceCode);
    if (query.from) add((p) => `filed_at >= ${p}`, query.from);
    if (query.to) add((p) => `filed_at < ${p}`, query.to);
    const inKindClass = verdictReachedSql('k.verdict', 'j.');
    const rows: Array<{ kind: string | null } & Record<keyof Omit<KindConfusion, 'kind'> | 'labelled' | 'scored' | 'pending' | 'unscored', string>> =
      await this.dataSource.query(
        `WITH labelled AS (
           SELECT label->>'kind' AS kind, label->>'expected' AS expected, status, reason, verification->'fields' AS fields,
                  decided_at IS NOT NULL AS decided, coalesce(reason = ANY ($3::text[]), false) AS unscored
           FROM portal_dossiers WHERE ${where.join(' AND ')}
         ),
         judged AS (
           SELECT kind, status, reason, fields, ${verdictReachedSql('expected')} AS correct FROM labelled WHERE decided AND NOT unscored
         ),
         totals AS (
           SELECT count(*) AS labelled, count(*) FILTER (WHERE decided AND NOT unscored) AS scored,
                  count(*) FILTER (WHERE NOT decided) AS pending, count(*) FILTER (WHERE unscored) AS unscored
           FROM labelled
         ),
         kinds AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(kind, verdict))
         SELECT k.kind, t.labelled, t.scored, t.pending, t.unscored,
                count(j.kind) FILTER (WHERE j.kind = k.kind) AS dossiers,
                count(j.kind) FILTER (WHERE j.kind = k.kind AND j.correct) AS "truePositives",
                count(j.kind) FILTER (WHERE j.kind = k.kind AND NOT j.correct) AS "falseNegatives",
                count(j.kind) FILTER (WHERE j.kind <> k.kind AND NOT j.correct AND ${inKindClass}) AS "falsePositives",
                count(j.kind) FILTER (WHERE j.kind <> k.kind AND NOT (NOT j.correct AND ${inKindClass})) AS "trueNegatives"
         FROM kinds k CROSS JOIN totals t LEFT JOIN judged j ON true
         GROUP BY k.kind, t.labelled, t.scored, t.pending, t.unscored`,
        values,
      );
    const byKind = new Map(rows.map((row) => [row.kind, row]));
    const first = rows[0];
    return {
      labelled: Number(first.labelled),
      scored: Number(first.scored),
      pending: Number(first.pending),
      unscored: Number(first.unscored),
      kinds: LABEL_KINDS.map((kind) => {
        const row = byKind.get(kind)!;
        return {
          kind,
          dossiers: Number(row.dossiers),
          truePositives: Number(row.truePositives),
          falseNegatives: Number(row.falseNegatives),
          falsePositives: Number(row.falsePositives),
          trueNegatives: Number(row.trueNegatives),
        };
      }),
    };
  }
}
