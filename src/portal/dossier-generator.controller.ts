import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { DossierGenerator } from './dossier-generator.js';
import { generateDossiersSchema, generatedDossiersSchema, MAX_GENERATED_DOSSIERS, type GeneratedDossiers } from './dossier-quality.dto.js';
import { QUALITY_EXAMPLES } from './dossier-quality.examples.js';

/**
 * The sandbox's dossier generator. Its route is under /sandbox with the other sandbox writes (admin key), its code
 * in portal/ because it files the portal's dossiers: sandbox/ sits below portal/ and may not import it.
 */
@ApiTags('sandbox')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('sandbox/portal/dossiers')
export class DossierGeneratorController {
  constructor(private readonly generator: DossierGenerator) {}

  @Post('generate')
  @HttpCode(201)
  @ApiOperation({
    summary: 'File realistic dossiers from registry citizens, a share with one labelled discrepancy each (admin)',
    description:
      `Files \`count\` dossiers (1-${MAX_GENERATED_DOSSIERS.toLocaleString('en')}) and queues their verification; answers once all are filed ` +
      '(5,000 per transaction, a log line per chunk), not once they are decided. `round(count × discrepancyRate)` of them carry one ' +
      'discrepancy each, the kinds in turn; the rest are clean (`label: {kind: "none", expected: "verified"}`). Each label has the ' +
      'verdict a correct verifier reaches (`expected`): `missing_diacritics`, `upper_case` → `verified:normalized` (verified, the name ' +
      'check `normalized`); `name_typo` → `needs_review:field_mismatch:fullName`; `day_month_swapped` → `needs_review:field_mismatch:dateOfBirth`; ' +
      '`stale_address` → `needs_review:field_mismatch:permanentAddress` or `:currentAddress` (the residence left in the citizen\'s last recorded ' +
      'move, else another citizen\'s address in another commune); `wrong_id_digit` (one of the last six digits changed) → `caught`: rejected ' +
      '`citizen_not_found`, or needs_review for `field_mismatch`, `citizen_deceased` or `citizen_missing` (the number may belong to another ' +
      'citizen); `nonexistent_id` (well-formed, held by nobody) → `rejected:citizen_not_found`; `deceased_applicant` → `needs_review:citizen_deceased`; ' +
      '`missing_person` → `needs_review:citizen_missing`; `minor_for_adult_service` → `rejected:under_age`. Without `serviceCode` each dossier ' +
      'goes to a catalog service that can show its kind (the connector enables verify or look-up; a stale address needs a look-up of ' +
      'that address; a minor, a minimum age and a birth date the service may read); with one, kinds it cannot show are skipped and listed. ' +
      'Applicants are living adults with a full birth date and 2025-map addresses (deceased, missing and minor ones for those kinds). ' +
      'Deterministic: the same seed on the same dataset and catalog, on the same day, files the same applicants with the same labels.',
  })
  @ApiZodBody(generateDossiersSchema, QUALITY_EXAMPLES.generateInput)
  @ApiJsonResponse(201, 'Filed and queued: the counts per kind and service', generatedDossiersSchema, QUALITY_EXAMPLES.generated)
  @ApiProblems(400, 401, 403, 503)
  async generate(@Body() body: unknown): Promise<GeneratedDossiers> {
    return this.generator.generate(parseInput(generateDossiersSchema, body));
  }
}
