import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PortalGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { portalRecordPageSchema, portalRecordQuerySchema, type PortalRecordPage } from './portal-record.dto.js';
import { RECORD_EXAMPLES } from './portal-record.examples.js';
import { PortalRecordsService } from './portal-records.service.js';

/** The portal's own copies of citizen data (portal key or admin key), ID numbers masked as dossiers show them. */
@ApiTags('portal')
@ApiBearerAuth()
@UseGuards(PortalGuard)
@Controller('portal/v1/records')
export class PortalRecordsController {
  constructor(private readonly records: PortalRecordsService) {}

  @Get()
  @ApiOperation({
    summary: "One service's portal records, in record order (portal key or admin key)",
    description:
      'Pages by `cursor` (the previous page\'s `nextCursor`, a recordId), at most `limit` records (1-500, default 100). ' +
      'A generated record carries its `label` (the drift injected, see POST /sandbox/portal/records/generate); ID numbers are masked.',
  })
  @ApiZodQuery(portalRecordQuerySchema, { serviceCode: '1.004222', limit: 100 })
  @ApiJsonResponse(200, 'A page of records', portalRecordPageSchema, RECORD_EXAMPLES.page)
  @ApiProblems(400, 401, 403, 503)
  list(@Query() query: unknown): Promise<PortalRecordPage> {
    return this.records.page(parseInput(portalRecordQuerySchema, query, 'query'));
  }
}
