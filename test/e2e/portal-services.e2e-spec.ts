import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ServiceCatalog } from '../../src/catalog/service-catalog.service.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, useTestApp } from '../utils/test-app.js';

interface ConfigService {
  code: string;
  project06Number: number | null;
  essential: boolean;
  nameVi: string;
  allowedFields: string[];
}

/** Read from the file rather than from src/, so that a service dropped from the seed fails here. */
const CONFIG_SERVICES: ConfigService[] = JSON.parse(readFileSync(new URL('../../config/public-services.json', import.meta.url), 'utf8')).services;
const ESSENTIAL = CONFIG_SERVICES.filter((s) => s.essential).sort((a, b) => a.project06Number! - b.project06Number!);

/** A code no other run or file uses: e2e files share one database and these rows stay. */
const uniqueCode = (label: string) => `T-${label}-${randomBytes(4).toString('hex')}`;

const libraryCard = {
  nameVi: 'Cấp thẻ thư viện thành phố',
  nameEn: 'City library card',
  leadAgency: 'Sở Văn hóa và Thể thao',
  allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'currentAddress'],
};

/** The public-service catalog of the portal: reading it (public) and changing it (admin key). */
describe('/portal/v1/services', () => {
  const testApp = useTestApp({ seed: false });
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {

  });

  describe('reading (no key needed)', () => {
    it('lists the 24 essential Project 06 services of the config first, in annex order, each with its whole shape', async () => {
      expect(ESSENTIAL.map((s) => s.project06Number)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      const { body } = await http().get('/portal/v1/services').expect(200).expect('content-type', /application\/json/);
      const services = body.services as Record<string, unknown>[];
      expect(services.slice(0, 24).map((s) => s.code)).toEqual(ESSENTIAL.map((s) => s.code));
      expect(services.filter((s) => s.essential && s.project06Number !== null).length).toBeGreaterThanOrEqual(24);
      expect(services.slice(0, 24).every((s) => s.essential === true)).toBe(true);
      for (const service of services) {
        expect(Object.keys(service).sort()).toEqual(
          ['code', 'nationalProcedureCode', 'project06Number', 'nameVi', 'nameEn', 'leadAgency', 'essential', 'allowedFields', 'note', 'minimumAge', 'source', 'updatedAt'].sort(),
        );
        expect(Number.isNaN(Date.parse(service.updatedAt as string))).toBe(false);
      }
      // Services without an annex number come after the numbered ones.
      const firstUnnumbered = services.findIndex((s) => s.project06Number === null);
      expect(firstUnnumbered).toBeGreaterThanOrEqual(24);
      expect(services.slice(firstUnnumbered).every((s) => s.project06Number === null)).toBe(true);
    });

    it('returns one service by code', async () => {
      const { body } = await http().get('/portal/v1/services/1.004222').expect(200);
      expect(body).toMatchObject({
        code: '1.004222',
        nationalProcedureCode: '1.004222',
        project06Number: 2,
        nameVi: 'Đăng ký thường trú',
        essential: true,
      });
      expect(body.allowedFields).toEqual(expect.arrayContaining(['idNumber', 'fullName', 'permanentAddress']));
    });

    it('answers an unknown code with 404 service_not_found', async () => {
      const response = await http().get(`/portal/v1/services/${uniqueCode('missing')}`).expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 404, code: 'service_not_found' });
    });

    it('answers a malformed code with 400 naming the code', async () => {
      for (const code of ['bad%20code', 'x'.repeat(33), 'semi%3Bcolon']) {
        const response = await http().get(`/portal/v1/services/${code}`).expect(400);
        expect(response.body.code).toBe('validation_failed');
        expect(response.body.errors).toEqual([expect.objectContaining({ field: 'code', rule: 'format' })]);
      }
    });
  });

  describe('POST /portal/v1/services/{code} (admin)', () => {
    it('creates a service (201), which is then served and listed after the essential ones', async () => {
      const code = uniqueCode('lib');
      const { body } = await http().post(`/portal/v1/services/${code}`).set(ADMIN_AUTH).send(libraryCard).expect(201);
      expect(body).toEqual({
        code,
        nationalProcedureCode: null,
        project06Number: null,
        ...libraryCard,
        essential: false,
        note: null,
        minimumAge: null,
        source: 'api',
        updatedAt: expect.any(String),
      });
      await http().get(`/portal/v1/services/${code}`).expect(200).expect(({ body: fetched }) => expect(fetched).toEqual(body));
      const { body: list } = await http().get('/portal/v1/services').expect(200);
      const codes = (list.services as { code: string }[]).map((s) => s.code);
      expect(codes.indexOf(code)).toBeGreaterThanOrEqual(24);
    });

    it('grants a new service to the sandbox developer consumer at once, by POST and by PUT', async () => {
      for (const method of ['post', 'put'] as const) {
        const code = uniqueCode(`dev${method}`);
        const lookUp = () => http().get('/registry/v1/citizens/001099000001?fields=fullName').set({ ...DEVELOPER_AUTH, 'x-service-code': code });
        const before = await lookUp().expect(403);
        expect(before.body.code).toBe('service_not_granted');
        await http()[method](`/portal/v1/services/${code}`).set(ADMIN_AUTH).send(libraryCard).expect(201);
        // Granted: the call now passes the purpose check and reaches the registry (found or not in this file's data).
        const after = await lookUp();
        expect([200, 404]).toContain(after.status);
        const { body } = await http().get('/access/v1/consumers').set(ADMIN_AUTH).expect(200);
        const developer = (body.consumers as { isDeveloper?: boolean; name: string; serviceCodes: string[] }[]).find((c) => c.name === 'Sandbox developer');
        expect(developer?.serviceCodes).toContain(code);
      }
    });

    it('refuses a code that exists with 409 service_exists and leaves the service as it was', async () => {
      const code = uniqueCode('dup');
      await http().post(`/portal/v1/services/${code}`).set(ADMIN_AUTH).send(libraryCard).expect(201);
      const response = await http()
        .post(`/portal/v1/services/${code}`)
        .set(ADMIN_AUTH)
        .send({ ...libraryCard, nameEn: 'Changed' })
        .expect(409);
      expect(response.body).toMatchObject({ status: 409, code: 'service_exists' });
      await http().get(`/portal/v1/services/${code}`).expect(200).expect(({ body }) => expect(body.nameEn).toBe(libraryCard.nameEn));
      await http().post('/portal/v1/services/1.004222').set(ADMIN_AUTH).send(libraryCard).expect(409);
    });

    it('refuses a request without a key (401), with an unknown key (401) and with a consumer key (403)', async () => {
      const code = uniqueCode('auth');
      const missing = await http().post(`/portal/v1/services/${code}`).send(libraryCard).expect(401);
      expect(missing.body.code).toBe('missing_credentials');
      const unknown = await http()
        .post(`/portal/v1/services/${code}`)
        .set({ authorization: `Bearer pgk_${randomBytes(32).toString('base64url')}` })
        .send(libraryCard)
        .expect(401);
      expect(unknown.body.code).toBe('unknown_credentials');
      const developer = await http().post(`/portal/v1/services/${code}`).set(DEVELOPER_AUTH).send(libraryCard).expect(403);
      expect(developer.body.code).toBe('admin_required');
      await http().get(`/portal/v1/services/${code}`).expect(404);
    });

    it('refuses bad bodies with 400 naming every field and rule', async () => {
      const code = uniqueCode('bad');
      const unknownField = await http()
        .post(`/portal/v1/services/${code}`)
        .set(ADMIN_AUTH)
        .send({ ...libraryCard, allowedFields: ['idNumber', 'fullName', 'shoeSize'] })
        .expect(400);
      expect(unknownField.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(unknownField.body.errors).toEqual([expect.objectContaining({ field: 'allowedFields.2', rule: 'unknown_field' })]);

      const many = await http()
        .post(`/portal/v1/services/${code}`)
        .set(ADMIN_AUTH)
        .send({ nameEn: '', leadAgency: 'Sở', allowedFields: [], nationalProcedureCode: '1-004222', essential: 'yes', colour: 'red' })
        .expect(400);
      expect(many.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'nameVi', rule: 'required' }),
          expect.objectContaining({ field: 'nameEn', rule: 'min' }),
          expect.objectContaining({ field: 'allowedFields', rule: 'min' }),
          expect.objectContaining({ field: 'nationalProcedureCode', rule: 'format' }),
          expect.objectContaining({ field: 'essential', rule: 'type' }),
          expect.objectContaining({ field: 'colour', rule: 'unknown_property' }),
        ]),
      );
      expect(many.body.errors).toHaveLength(6);

      const notAnObject = await http().post(`/portal/v1/services/${code}`).set(ADMIN_AUTH).send([libraryCard]).expect(400);
      expect(notAnObject.body.code).toBe('validation_failed');
      await http().get(`/portal/v1/services/${code}`).expect(404);
    });

    it('answers a malformed code with 400 even for the admin', async () => {
      const response = await http().post('/portal/v1/services/no%20spaces').set(ADMIN_AUTH).send(libraryCard).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'code', rule: 'format' })]);
    });
  });

  describe('PUT /portal/v1/services/{code} (admin)', () => {
    it('creates (201), then replaces (200) a service, and the new allow-list applies in this process at once', async () => {
      const code = uniqueCode('put');
      const created = await http().put(`/portal/v1/services/${code}`).set(ADMIN_AUTH).send(libraryCard).expect(201);
      expect(created.body).toMatchObject({ code, source: 'api', allowedFields: libraryCard.allowedFields });

      const replacement = { ...libraryCard, nameEn: 'City library card (renewal)', allowedFields: ['idNumber', 'fullName'], note: 'renewals only', essential: false };
      const replaced = await http().put(`/portal/v1/services/${code}`).set(ADMIN_AUTH).send(replacement).expect(200);
      expect(replaced.body).toMatchObject({ code, nameEn: 'City library card (renewal)', allowedFields: ['idNumber', 'fullName'], note: 'renewals only' });
      expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));
      await http().get(`/portal/v1/services/${code}`).expect(200).expect(({ body }) => expect(body).toEqual(replaced.body));

      // The registry's access check reads the catalog's in-memory purposes: they must already hold the new list.
      const purpose = await testApp.app.get(ServiceCatalog).purpose(code);
      expect([...(purpose?.allowedFields ?? [])].sort()).toEqual(['fullName', 'idNumber']);
    });

    it('refuses without a key (401) and with a consumer key (403), and validates the body (400)', async () => {
      const code = uniqueCode('putauth');
      const missing = await http().put(`/portal/v1/services/${code}`).send(libraryCard).expect(401);
      expect(missing.body.code).toBe('missing_credentials');
      const developer = await http().put(`/portal/v1/services/${code}`).set(DEVELOPER_AUTH).send(libraryCard).expect(403);
      expect(developer.body.code).toBe('admin_required');
      const invalid = await http()
        .put(`/portal/v1/services/${code}`)
        .set(ADMIN_AUTH)
        .send({ ...libraryCard, allowedFields: ['fullName', 'fullName2'] })
        .expect(400);
      expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'allowedFields.1', rule: 'unknown_field' })]);
      await http().get(`/portal/v1/services/${code}`).expect(404);
    });
  });

  it('documents every portal operation with a JSON schema and a worked example, and marks the admin ones', async () => {
    const { body: document } = await http().get('/docs/openapi.json').expect(200);
    const paths = document.paths as Record<string, Record<string, any>>;
    const item = paths['/portal/v1/services/{code}'];
    expect(Object.keys(paths['/portal/v1/services'])).toEqual(['get']);
    expect(Object.keys(item).sort()).toEqual(['get', 'post', 'put']);
    for (const operation of [paths['/portal/v1/services'].get, item.get, item.post, item.put]) {
      expect(operation.tags).toEqual(['portal']);
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        if (!status.startsWith('2')) continue;
        expect([status, response.content['application/json'].schema !== undefined, response.content['application/json'].example !== undefined]).toEqual([status, true, true]);
      }
    }
    for (const operation of [item.post, item.put]) {
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(operation.requestBody.content['application/json'].schema.example).toBeDefined();
    }
    // Reading the catalog needs no key, and the document says so (a client generator otherwise assumes a default).
    expect([paths['/portal/v1/services'].get.security, item.get.security]).toEqual([[], []]);
  });
});
