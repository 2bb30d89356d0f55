import { Body, Controller, Get, HttpCode, Param, Post, Put, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminGuard } from '../access/admin.guard.js';
import { NotFoundError } from '../common/domain-error.js';
import { ApiJsonResponse, ApiProblems, ApiPublic, ApiZodBody, ApiZodParam } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { PUBLIC_SERVICE_EXAMPLES, publicServiceListSchema, publicServiceViewSchema, toPublicServiceView, type PublicServiceView } from './public-service.dto.js';
import { publicServiceInputSchema, serviceCodeSchema, ServiceCatalog } from '../catalog/service-catalog.service.js';

const CODE_DESCRIPTION = 'The service code: the national administrative-procedure code where known, else a local code (1-32 of A-Z a-z 0-9 . _ -)';
const CodeParam = (example: string = PUBLIC_SERVICE_EXAMPLES.code) => ApiZodParam('code', serviceCodeSchema, example, CODE_DESCRIPTION);

const CHANGE_DESCRIPTION =
  'Body fields are those of config/public-services.json; `allowedFields` are names of GET /registry/v1/fields. ' +
  'The new allow-list applies to registry calls through this process at once, and through other processes within ' +
  'a few seconds. A new service is granted to the sandbox developer consumer at once. A service listed in config/public-services.json is re-applied from that file on every start, ' +
  'so a change to one of those lasts only until the next start unless the file is changed too.';

/**
 * The public-service catalog of the portal: what each service (purpose) may read from the registry. Reading is
 * public, as the catalog of a city's procedures is; changing it needs the admin key.
 */
@ApiTags('portal')
@Controller('portal/v1/services')
export class PublicServicesController {
  constructor(private readonly catalog: ServiceCatalog) {}

  @Get()
  @ApiPublic()
  @ApiOperation({ summary: 'The public-service catalog: essential Project 06 services first, by annex number' })
  @ApiJsonResponse(200, 'Every service of the catalog', publicServiceListSchema, { services: [PUBLIC_SERVICE_EXAMPLES.view, PUBLIC_SERVICE_EXAMPLES.localView] })
  @ApiProblems(503)
  async list(): Promise<{ services: PublicServiceView[] }> {
    return { services: (await this.catalog.list()).map(toPublicServiceView) };
  }

  @Get(':code')
  @ApiPublic()
  @ApiOperation({ summary: 'One service of the catalog, with the fields it may read' })
  @CodeParam()
  @ApiJsonResponse(200, 'The service', publicServiceViewSchema, PUBLIC_SERVICE_EXAMPLES.view)
  @ApiProblems(400, 404, 503)
  async get(@Param('code') code: string): Promise<PublicServiceView> {
    const serviceCode = parseInput(serviceCodeSchema, code, 'code');
    const service = await this.catalog.find(serviceCode);
    if (!service) throw new NotFoundError('service_not_found', `No public service has the code ${serviceCode}.`);
    return toPublicServiceView(service);
  }

  @Post(':code')
  @HttpCode(201)
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Add a service to the catalog (admin key); 409 `service_exists` if the code is taken', description: CHANGE_DESCRIPTION })
  @CodeParam(PUBLIC_SERVICE_EXAMPLES.localView.code)
  @ApiZodBody(publicServiceInputSchema, PUBLIC_SERVICE_EXAMPLES.localInput)
  @ApiJsonResponse(201, 'The service as stored', publicServiceViewSchema, PUBLIC_SERVICE_EXAMPLES.localView)
  @ApiProblems(400, 401, 403, 409, 503)
  async create(@Param('code') code: string, @Body() body: unknown): Promise<PublicServiceView> {
    const serviceCode = parseInput(serviceCodeSchema, code, 'code');
    const input = parseInput(publicServiceInputSchema, body);
    return toPublicServiceView(await this.catalog.create(serviceCode, input));
  }

  @Put(':code')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Create or replace a service (admin key): 201 when created, 200 when replaced', description: CHANGE_DESCRIPTION })
  @CodeParam()
  @ApiZodBody(publicServiceInputSchema, PUBLIC_SERVICE_EXAMPLES.input)
  @ApiJsonResponse(200, 'Replaced: the service as stored', publicServiceViewSchema, { ...PUBLIC_SERVICE_EXAMPLES.view, source: 'api' })
  @ApiJsonResponse(201, 'Created: the service as stored', publicServiceViewSchema, PUBLIC_SERVICE_EXAMPLES.localView)
  @ApiProblems(400, 401, 403, 503)
  async replace(@Param('code') code: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<PublicServiceView> {
    const { service, created } = await this.catalog.save(parseInput(serviceCodeSchema, code, 'code'), parseInput(publicServiceInputSchema, body));
    void reply.status(created ? 201 : 200);
    return toPublicServiceView(service);
  }
}
