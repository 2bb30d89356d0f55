import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PortalGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { qualityQuerySchema, qualityReportSchema, type QualityReport } from './dossier-quality.dto.js';
import { QUALITY_EXAMPLES } from './dossier-quality.examples.js';
import { DossierQualityService } from './dossier-quality.service.js';

/** How well the verification decides generated dossiers, against their labels (portal key or admin key). */
@ApiTags('portal')
@ApiBearerAuth()
@UseGuards(PortalGuard)
@Controller('portal/v1/quality')
export class DossierQualityController {
  constructor(private readonly quality: DossierQualityService) {}

  @Get()
  @ApiOperation({
    summary: 'Precision and recall of the verification per discrepancy kind, against the labels of generated dossiers',
    description:
      'Over the labelled dossiers (POST /sandbox/portal/dossiers/generate) that match the filters and are decided (`scored`; ' +
      'undecided ones are `pending`, dead letters for `registry_unreachable` or `unprocessable` are `unscored`, both left out). ' +
      'Each scored dossier is **correct** when its decision reaches its label\'s `expected` verdict: `verified` (status verified); ' +
      '`verified:normalized` (verified and `verification.fields.fullName` = `normalized`); `needs_review:field_mismatch:<field>` ' +
      '(needs_review for field_mismatch, and that field `mismatch` or `partial`; `address`: either address field); `caught` ' +
      '(rejected for citizen_not_found, or needs_review for field_mismatch, citizen_deceased or citizen_missing); `<status>:<reason>` ' +
      'otherwise. Per kind K, with K\'s verdict class `verdict`: **TP** = dossiers of K that are correct; **FN** = of K, not correct; ' +
      '**FP** = of another kind, not correct, and whose decision reaches K\'s class (a missed dossier taken for K: a typo that passed ' +
      'counts against `none` and, if normalized, against the must-pass kinds; a dropped diacritic flagged as a mismatch counts ' +
      'against `name_typo`); **TN** = the other kinds\' dossiers that are not FP. So for a must-pass kind a positive is a dossier ' +
      'verified with a normalized name (for `none`: verified), for a must-catch kind one decided in its class. ' +
      'precision = TP / (TP + FP), recall = TP / (TP + FN), null on a zero denominator. One SQL aggregate.',
  })
  @ApiZodQuery(qualityQuerySchema, { from: '2026-12-01T00:00:00+07:00' })
  @ApiJsonResponse(200, 'The confusion counts, precision and recall of every label kind', qualityReportSchema, QUALITY_EXAMPLES.report)
  @ApiProblems(400, 401, 403, 503)
  async report(@Query() query: unknown): Promise<QualityReport> {
    return this.quality.report(parseInput(qualityQuerySchema, query, 'query'));
  }
}
