import { Injectable } from '@nestjs/common';
import { KIND_VERDICTS, MUST_PASS } from './dossier-labels.js';
import type { QualityQuery, QualityReport } from './dossier-quality.dto.js';
import { DossierQualityRepository } from './dossier-quality.repository.js';

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** Precision and recall of the verification per label kind, from the repository's one aggregate. */
@Injectable()
export class DossierQualityService {
  constructor(private readonly quality: DossierQualityRepository) {}

  async report(query: QualityQuery): Promise<QualityReport> {
    const counts = await this.quality.confusionByKind(query);
    return {
      serviceCode: query.serviceCode ?? null,
      from: query.from ?? null,
      to: query.to ?? null,
      labelled: counts.labelled,
      scored: counts.scored,
      pending: counts.pending,
      unscored: counts.unscored,
      kinds: counts.kinds.map((kind) => ({
        ...kind,
        verdict: KIND_VERDICTS[kind.kind],
        mustPass: MUST_PASS.has(kind.kind),
        precision: ratio(kind.truePositives, kind.truePositives + kind.falsePositives),
        recall: ratio(kind.truePositives, kind.truePositives + kind.falseNegatives),
      })),
    };
  }
}
