import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { ConnectorDirectory } from './connector-directory.service.js';
import { CONNECTOR_EXAMPLES, connectorInputSchema, connectorListSchema, connectorViewSchema, toConnectorView, type ConnectorView } from './connector.dto.js';

const CODE_PARAM = { name: 'serviceCode', description: 'The catalog service the connector links to the registry', example: CONNECTOR_EXAMPLES.serviceCode };

/**
 * Operators' API for connectors: one per catalog service, with the operations it may use, its state and the
 * operator's fault profile. Every endpoint needs the admin key.
 */
@ApiTags('connectors')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('connectors/v1')
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorDirectory) {}

  @Get()
  @ApiOperation({ summary: 'Every connector, by service code' })
  @ApiJsonResponse(200, 'The connectors', connectorListSchema, { connectors: [CONNECTOR_EXAMPLES.view] }, { io: 'input' })
  @ApiProblems(401, 403)
  async list(): Promise<{ connectors: ConnectorView[] }> {
    return { connectors: (await this.connectors.list()).map(toConnectorView) };
  }

  @Get(':serviceCode')
  @ApiOperation({ summary: 'The connector of one service' })
  @ApiParam(CODE_PARAM)
  @ApiJsonResponse(200, 'The connector', connectorViewSchema, CONNECTOR_EXAMPLES.view, { io: 'input' })
  @ApiProblems(400, 401, 403, 404)
  async get(@Param('serviceCode') serviceCode: string): Promise<ConnectorView> {
    return toConnectorView(await this.connectors.find(parseInput(serviceCodeSchema, serviceCode, 'serviceCode')));
  }

  @Put(':serviceCode')
  @ApiOperation({
    summary: 'Replace a connector: state, operations, fault profile (admin key)',
    description:
      'A call for a service whose connector is `disabled` gets 503 `connector_disabled`; in `maintenance`, 503 ' +
      '`connector_maintenance` with Retry-After; an operation not in `operations`, 403 `operation_not_enabled`, from ' +
      'every caller. `faultProfile` (see GET /sandbox/fault-kinds) applies to the portal\'s own jobs of the service, ' +
      'and with `applyFaultsToAllCallers` to every caller of it. Each PUT starts the profile\'s counters again. The ' +
      'change applies through this process at once and through the others within 2 s; it is kept across starts ' +
      '(`source` becomes `api`).',
  })
  @ApiParam(CODE_PARAM)
  @ApiZodBody(connectorInputSchema, CONNECTOR_EXAMPLES.faultyInput)
  @ApiJsonResponse(200, 'The connector as stored', connectorViewSchema, CONNECTOR_EXAMPLES.faultyView, { io: 'input' })
  @ApiProblems(400, 401, 403, 404)
  async replace(@Param('serviceCode') serviceCode: string, @Body() body: unknown): Promise<ConnectorView> {
    return toConnectorView(await this.connectors.save(serviceCode, body));
  }
}
