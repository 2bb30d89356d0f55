import { afterAll, beforeAll, describe, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { writeFileSync } from 'node:fs';
import { createTestApp } from '../utils/test-app.js';

describe('explore', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => { app = await createTestApp(); });
  afterAll(async () => { await app.close(); });
  it('dumps', async () => {
    const http = () => request(app.getHttpServer());
    const lines: string[] = [];
    const vals = ["' OR 1=1 --", '1; DROP TABLE citizens', '../../etc/passwd', 'x'.repeat(5000), '\u0000', 'é'.repeat(3000)];
    const raws = ['..%2F..%2Fetc%2Fpasswd', '%00', '%C0%AF', 'abc%00def', '%', '%zz', '%E0%A4%A'];
    const tpl = ['/registry/v1/citizens/{}', '/registry/v1/citizens/001090999921?fields={}', '/registry/v1/households/{}', '/registry/v1/changes?since={}', '/registry/v1/changes?limit={}', '/sandbox/jobs/{}'];
    for (const t of tpl) {
      for (const v of vals) { const url = t.replace('{}', encodeURIComponent(v)); const r = await http().get(url); lines.push(`${r.status} ${r.headers['content-type']} ${t} enc(${JSON.stringify(v.slice(0,20))}) ${JSON.stringify(r.body).slice(0,200)}`); }
      for (const v of [...raws, ...vals.slice(0,3)]) { const url = t.replace('{}', v); try { const r = await http().get(url); lines.push(`${r.status} ${r.headers['content-type']} ${t} raw(${JSON.stringify(v.slice(0,20))}) ${JSON.stringify(r.body).slice(0,200)}`);} catch (e) { lines.push(`ERR ${t} raw(${v}) ${e}`);} }
    }
    writeFileSync('/tmp/explore/bad.txt', lines.join('\n'));
  });
});
