/**
 * An integrator's client of popgate, written against the types that openapi-typescript generates from the served
 * document (`./popgate-api.js` is written next to this file by openapi-client.e2e-spec.ts, which then type-checks
 * both with `strict`, `noUncheckedIndexedAccess`, `noPropertyAccessFromIndexSignature` and
 * `exactOptionalPropertyTypes`). It is never run: what matters is that it compiles. `.mts`, so that the repository's
 * own type check (which includes `test/**\/*.ts`) does not look for the generated file.
 *
 * `call` is the whole client: a typed request in, a typed answer out. It refuses at compile time an operation whose
 * parameters, body, answers or declared headers are untyped anywhere (any, unknown, never: what a bare `type:
 * object` or `additionalProperties: true` becomes), or one of whose answers lacks `X-Request-Id`. The test also
 * checks that every operation, with every success status and content type, is called here at least once.
 */
import type { paths } from './popgate-api.js';

type Method = 'get' | 'put' | 'post' | 'delete';
type OperationOf<P extends keyof paths, M extends Method> = Exclude<paths[P][M], undefined>;
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type ContentOf<R> = R extends { content: infer C } ? C : never;
/** The media types of an answer, or null when it has no body (204). */
type MediaOf<R> = R extends { content: infer C } ? keyof C : null;
/** Declared headers only: openapi-typescript adds an index signature of `unknown` to every headers object. */
type KnownKeys<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type HeadersOf<R> = R extends { headers: infer H } ? KnownKeys<H> : never;
type ParametersOf<O> = O extends { parameters: infer P } ? P : never;
/** The request body's schema, or never when the operation takes none (`requestBody?: never`). */
type RequestBodyOf<O> = O extends { requestBody?: infer B } ? Exclude<B, undefined> : never;
type BodyOf<O> = [RequestBodyOf<O>] extends [never]
  ? {}
  : RequestBodyOf<O> extends { content: { 'application/json': infer B } }
    ? O extends { requestBody: unknown }
      ? { body: B }
      : { body?: B }
    : {};
type RequestOf<O> = ParametersOf<O> & BodyOf<O>;
type BodyFor<P extends keyof paths, M extends Method> = BodyOf<OperationOf<P, M>> extends { body?: infer B } ? B : never;

type IsAny<T> = 0 extends 1 & T ? true : false;
/** The paths inside T whose type a client cannot use: any, unknown or never (what a bare object's members are). */
type Untyped<T, Path extends string> =
  IsAny<T> extends true
    ? Path
    : [T] extends [never]
      ? Path
      : unknown extends T
        ? Path
        : T extends readonly (infer Item)[]
          ? Untyped<Item, `${Path}[]`>
          : T extends object
            ? { [K in keyof T & (string | number)]-?: Untyped<Exclude<T[K], undefined>, `${Path}.${K}`> }[keyof T & (string | number)]
            : never;
/** What a client needs typed about one operation: what it sends, and every answer's body and declared headers. */
type Contract<O> = {
  parameters: { [K in keyof ParametersOf<O> as [Exclude<ParametersOf<O>[K], undefined>] extends [never] ? never : K]: ParametersOf<O>[K] };
  requestBody: BodyOf<O>;
  responses: { [S in keyof ResponsesOf<O>]: { content: ContentOf<ResponsesOf<O>[S]> | null; headers: HeadersOf<ResponsesOf<O>[S]> } };
};
/** Answers that do not declare X-Request-Id, which every answer carries. */
type WithoutRequestId<O> = { [S in keyof ResponsesOf<O>]: 'X-Request-Id' extends keyof HeadersOf<ResponsesOf<O>[S]> ? never : `${S & (string | number)} has no X-Request-Id` }[keyof ResponsesOf<O>];
type Defects<O> = Untyped<Contract<O>, ''> | WithoutRequestId<O>;
/** The path itself when the operation is exact; otherwise a type that names its defects in the compiler's message. */
type Exact<P extends keyof paths, M extends Method> = [Defects<OperationOf<P, M>>] extends [never] ? P : { operation: P; untyped: `${Defects<OperationOf<P, M>>}` };

interface Answer<R, C> {
  body: C extends keyof ContentOf<R> ? ContentOf<R>[C] : undefined;
  headers: HeadersOf<R>;
}

/** One HTTP call: the status and content type name the answer the caller expects (others would be problems). */
declare function call<
  P extends keyof paths,
  M extends Method,
  S extends keyof ResponsesOf<OperationOf<P, M>>,
  C extends MediaOf<ResponsesOf<OperationOf<P, M>>[S]>,
>(method: M, path: P & Exact<P, M>, request: RequestOf<OperationOf<P, M>>, status: S, contentType: C): Promise<Answer<ResponsesOf<OperationOf<P, M>>[S], C>>;

/** What a client does with a value it read: here, only proves the type it has. */
declare function use<T>(value: T): void;

const PERSONA = '001090999921';
const purpose = { 'X-Service-Code': 'SANDBOX-ALL', 'X-Dossier-Id': 'HN-2026-000123', 'X-Officer-Id': '001090999917', 'X-Request-Id': 'client-1' } as const;

async function registry(): Promise<void> {
  const catalogue = await call('get', '/registry/v1/fields', {}, 200, 'application/json');
  for (const field of catalogue.body) {
    const { name, vietnamese, lawItem, sensitive, description } = field;
    use<[string, string, number, boolean, string]>([name, vietnamese, lawItem, sensitive, description]);
  }
  use<string>(catalogue.headers['X-Request-Id']);

  const lookup = await call('get', '/registry/v1/citizens/{idNumber}', { path: { idNumber: PERSONA }, query: { fields: ['fullName', 'permanentAddress', 'idCard', 'children'] }, header: purpose }, 200, 'application/json');
  const citizen = lookup.body;
  use<string | undefined>(citizen.idNumber);
  use<string | undefined>(citizen.fullName);
  use<string | null | undefined>(citizen.otherNames);
  use<string | undefined>(citizen.dateOfBirth);
  use<'male' | 'female' | undefined>(citizen.sex);
  use<string | undefined>(citizen.placeOfBirth);
  use<{ provinceIdCode: string; place: string } | undefined>(citizen.birthRegistrationPlace);
  use<string | undefined>(citizen.homeTown);
  use<{ code: string; name: string | null } | undefined>(citizen.ethnicity);
  use<{ code: string; name: string | null } | undefined>(citizen.religion);
  use<string | undefined>(citizen.nationality);
  use<string | null | undefined>(citizen.bloodGroup);
  use<string | null | undefined>(citizen.oldIdNumber);
  if (citizen.idCard) use<[string, string, string | null]>([citizen.idCard.issueDate, citizen.idCard.issuePlace, citizen.idCard.expiryDate]);
  for (const parent of [citizen.father, citizen.mother, citizen.spouse]) {
    if (parent) use<[string | null, string, string]>([parent.idNumber, parent.fullName, parent.nationality]);
  }
  for (const child of citizen.children ?? []) use<[string, string, string]>([child.idNumber, child.fullName, child.nationality]);
  for (const address of [citizen.permanentAddress, citizen.temporaryAddress, citizen.currentAddress]) {
    if (address) {
      const { detail, communeCode, communeName, districtName, provinceCode, provinceName } = address;
      use<[string, string | null, string, string | null, string, string]>([detail, communeCode, communeName, districtName, provinceCode, provinceName]);
    }
  }
  use<'single' | 'married' | 'divorced' | 'widowed' | undefined>(citizen.maritalStatus);
  if (citizen.household) use<[string, string, string]>([citizen.household.householdId, citizen.household.relationship, citizen.household.relationshipLabel]);
  use<'alive' | 'deceased' | 'missing' | undefined>(citizen.citizenStatus);
  use<string | null | undefined>(citizen.statusDate);
  use<string | null | undefined>(citizen.phoneNumber);
  use<string | null | undefined>(citizen.email);
  use<[string, 'synthetic']>([lookup.headers['X-Request-Id'], lookup.headers['X-Popgate-Data']]);

  const xml = await call('get', '/registry/v1/citizens/{idNumber}', { path: { idNumber: PERSONA }, header: purpose }, 200, 'application/xml');
  use<string>(xml.body);
  use<'synthetic'>(xml.headers['X-Popgate-Data']);

  const refused = await call('get', '/registry/v1/citizens/{idNumber}', { path: { idNumber: PERSONA }, query: { fields: ['religion'] }, header: purpose }, 403, 'application/problem+json');
  const { type, title, status, detail, code, instance, requestId, errors, refusedFields } = refused.body;
  use<[string, string, number, string, string, string, string]>([type, title, status, detail, code, instance, requestId]);
  for (const error of errors ?? []) use<[string, string, string]>([error.field, error.rule, error.message]);
  use<string[] | undefined>(refusedFields);

  const limited = await call('get', '/registry/v1/citizens/{idNumber}', { path: { idNumber: PERSONA }, header: purpose }, 429, 'application/problem+json');
  use<[string, number]>([limited.body.code, limited.headers['Retry-After']]);

  const verify = await call(
    'post',
    '/registry/v1/citizens/verify',
    { header: purpose, body: { idNumber: PERSONA, fullName: 'NGUYEN VAN AN', dateOfBirth: '15051990', sex: 'male' } },
    200,
    'application/json',
  );
  const { verdict, citizenStatus, checks } = verify.body;
  use<'match' | 'mismatch' | 'not_found'>(verdict);
  use<'alive' | 'deceased' | 'missing' | null>(citizenStatus);
  type Check = 'exact' | 'normalized' | 'partial' | 'mismatch';
  use<[Check, Check, Check, Check | undefined]>([checks.idNumber, checks.fullName, checks.dateOfBirth, checks.sex]);
  use<'synthetic'>(verify.headers['X-Popgate-Data']);

  const batch = await call(
    'post',
    '/registry/v1/citizens/verify-batch',
    { header: purpose, body: { items: [{ idNumber: PERSONA, fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05-15' }] } },
    200,
    'application/json',
  );
  const results: unknown[] = batch.body.results;
  use(results);
  for (const entry of batch.body.results) {
    use<number>(entry.index);
    if ('error' in entry) {
      use<[string, string]>([entry.error.code, entry.error.detail]);
      for (const error of entry.error.errors) use<[string, string, string]>([error.field, error.rule, error.message]);
    } else {
      use<['match' | 'mismatch' | 'not_found', 'alive' | 'deceased' | 'missing' | null, Check]>([entry.verdict, entry.citizenStatus, entry.checks.fullName]);
    }
  }

  const household = await call('get', '/registry/v1/households/{householdId}', { path: { householdId: 'HP0000000010' }, header: purpose }, 200, 'application/json');
  const { householdId, address, head, members } = household.body;
  use<[string, string, string, string | null]>([householdId, address.communeName, head.idNumber, head.fullName]);
  for (const member of members) {
    const { idNumber, fullName, dateOfBirth, sex, relationship, status: memberStatus } = member;
    use<[string, string, string, 'male' | 'female', 'head' | 'spouse' | 'child' | 'parent' | 'grandchild' | 'sibling' | 'other', 'alive' | 'deceased' | 'missing']>([
      idNumber, fullName, dateOfBirth, sex, relationship, memberStatus,
    ]);
  }

  let since = '0';
  for (;;) {
    const page = await call('get', '/registry/v1/changes', { query: { since, limit: 100 }, header: purpose }, 200, 'application/json');
    for (const event of page.body.events) {
      use<[string, string, string, string]>([event.cursor, event.idNumber, event.occurredAt, event.recordedAt]);
      switch (event.kind) {
        case 'move':
          use<['permanent' | 'temporary' | undefined, string | undefined, string | undefined]>([event.details.residence, event.details.to?.communeCode ?? undefined, event.details.fromCommuneCode]);
          use<string | undefined>(event.details.from?.provinceName);
          use<string | undefined>(event.details.toCommuneCode);
          break;
        case 'death':
        case 'missing':
          use<string | undefined>(event.details.date);
          break;
        case 'marriage':
          use<[string | undefined, string | undefined]>([event.details.date, event.details.spouseIdNumber]);
          break;
        case 'divorce':
          use<[string | undefined, string | null | undefined]>([event.details.date, event.details.formerSpouseIdNumber]);
          break;
        case 'new_card':
          use<[string | undefined, string | null | undefined]>([event.details.card?.issueDate, event.details.previousCard?.expiryDate]);
          break;
        case 'birth':
          use<[string | undefined, string | undefined, string | null | undefined, string | undefined]>([
            event.details.date, event.details.motherIdNumber, event.details.fatherIdNumber, event.details.householdId,
          ]);
          break;
        default:
          use<never>(event);
      }
    }
    since = page.body.nextCursor;
    if (!page.body.hasMore) break;
  }
}

async function sandbox(): Promise<void> {
  const personas = await call('get', '/sandbox/personas', {}, 200, 'application/json');
  for (const { idNumber, key, title, tests, specialFields } of personas.body.personas) use<[string, string, string, string, string[]]>([idNumber, key, title, tests, specialFields]);
  const unauthenticated = await call('get', '/sandbox/personas', {}, 401, 'application/problem+json');
  use<string>(unauthenticated.body.code);

  const recorded = await call(
    'post',
    '/sandbox/registry/events',
    { body: { kind: 'move', idNumber: PERSONA, residence: 'permanent', address: { detail: 'Số 5, phố Huế', communeCode: '00070' } } },
    201,
    'application/json',
  );
  for (const change of recorded.body.changes) use<[string, string, string, string, string]>([change.cursor, change.kind, change.idNumber, change.occurredAt, change.recordedAt]);
  await call('post', '/sandbox/registry/events', { body: { kind: 'birth', motherIdNumber: PERSONA, middleName: 'Gia', givenName: 'Huy', sex: 'male' } }, 201, 'application/json');

  const queued = await call('post', '/sandbox/reset', { body: { seed: 'popgate', citizens: 20_000 } }, 202, 'application/json');
  const { jobId, statusUrl } = queued.body;
  use<[string, string]>([jobId, statusUrl]);
  const unavailable = await call('post', '/sandbox/reset', { body: { seed: 'popgate', citizens: 20_000 } }, 503, 'application/problem+json');
  use<[string, number]>([unavailable.body.code, unavailable.headers['Retry-After']]);
  const job = await call('get', '/sandbox/jobs/{jobId}', { path: { jobId } }, 200, 'application/json');
  const { name, state, progress, result, failedReason, queuedAt, finishedAt } = job.body;
  use<[string, string, number, string | null, string, string | null]>([name, state, progress, failedReason, queuedAt, finishedAt]);
  if (result) {
    const { seed, referenceDate, generatedCitizens, personas: personaCount, households, changes, durationMs, phasesMs } = result;
    use<[string, string, number, number, number, number, number]>([seed, referenceDate, generatedCitizens, personaCount, households, changes, durationMs]);
    use<[number, number, number]>([phasesMs.generateAndCopy, phasesMs.indexes, phasesMs.analyze]);
  }

  const consent = await call(
    'post',
    '/sandbox/consents',
    { body: { idNumber: PERSONA, consumerId: '3f2c8a4e-6b1d-4c3e-9a57-0d8e2f1b7c64', serviceCode: '2.001159', fields: ['fullName'], expiresAt: '2027-06-30T23:59:59+07:00' } },
    201,
    'application/json',
  );
  const readConsent = ({ consentId, citizen, consumerId, serviceCode, fields, expiresAt, createdAt, revokedAt }: typeof consent.body) =>
    use<[string, string, string, string, string[], string, string, string | null]>([consentId, citizen, consumerId, serviceCode, fields, expiresAt, createdAt, revokedAt]);
  readConsent(consent.body);
  const taken = await call('post', '/sandbox/consents', { body: { idNumber: PERSONA, consumerId: consent.body.consumerId, serviceCode: '2.001159', fields: ['fullName'], expiresAt: '2027-06-30T23:59:59+07:00' } }, 409, 'application/problem+json');
  use<string | undefined>(taken.body.consentId);
  const consents = await call('get', '/sandbox/consents', { query: { idNumber: PERSONA } }, 200, 'application/json');
  consents.body.consents.forEach(readConsent);
  const revoked = await call('delete', '/sandbox/consents/{consentId}', { path: { consentId: consent.body.consentId } }, 204, null);
  use<string>(revoked.headers['X-Request-Id']);
}

async function portal(): Promise<void> {
  type Service = Awaited<ReturnType<typeof one>>['body'];
  const one = () => call('get', '/portal/v1/services/{code}', { path: { code: '1.004222' } }, 200, 'application/json');
  const readService = ({ code, nationalProcedureCode, project06Number, nameVi, nameEn, leadAgency, essential, allowedFields, note, source, updatedAt }: Service) =>
    use<[string, string | null, number | null, string, string, string, boolean, string[], string | null, 'config' | 'api', string]>([
      code, nationalProcedureCode, project06Number, nameVi, nameEn, leadAgency, essential, allowedFields, note, source, updatedAt,
    ]);
  (await call('get', '/portal/v1/services', {}, 200, 'application/json')).body.services.forEach(readService);
  readService((await one()).body);
  const input: BodyFor<'/portal/v1/services/{code}', 'put'> = {
    nameVi: 'Cấp thẻ thư viện thành phố',
    nameEn: 'City library card',
    leadAgency: 'Sở Văn hóa và Thể thao',
    allowedFields: ['idNumber', 'fullName'],
  };
  readService((await call('post', '/portal/v1/services/{code}', { path: { code: 'HN-LIB-01' }, body: input }, 201, 'application/json')).body);
  readService((await call('put', '/portal/v1/services/{code}', { path: { code: 'HN-LIB-01' }, body: input }, 200, 'application/json')).body);
  readService((await call('put', '/portal/v1/services/{code}', { path: { code: 'HN-LIB-02' }, body: input }, 201, 'application/json')).body);
  use<number | null>((await one()).body.minimumAge);
  await dossiers();
  await quality();
  await records();
  await syncRuns();
}

async function records(): Promise<void> {
  const queued = await call('post', '/sandbox/portal/records/generate', { body: { serviceCode: '1.004222', count: 200, driftRate: 0.5, seed: 'records-1' } }, 202, 'application/json');
  const { jobId, statusUrl } = queued.body;
  use<[string, string]>([jobId, statusUrl]);
  const job = await call('get', '/sandbox/portal/records/jobs/{jobId}', { path: { jobId } }, 200, 'application/json');
  const { state, progress, request, result, failedReason, queuedAt, finishedAt } = job.body;
  use<[string, number, string | null, number, number, string, string | null, string, string | null]>([
    state, progress, request.serviceCode, request.count, request.driftRate, request.seed, failedReason, queuedAt, finishedAt,
  ]);
  if (result) {
    const { seed, serviceCode, requested, records: written, replaced, byKind, byService, shortfalls, durationMs } = result;
    use<[string, string | null, number, number, number, number, number, Record<string, number>, number]>([seed, serviceCode, requested, written, replaced, byKind.faithful, byKind.duplicate, byService, durationMs]);
    shortfalls.forEach(({ kind, wanted, written: made, reason }) => use<[string, number, number, string]>([kind, wanted, made, reason]));
  }
  const page = await call('get', '/portal/v1/records', { query: { serviceCode: '1.004222', limit: 10 } }, 200, 'application/json');
  use<string | null>(page.body.nextCursor);
  for (const record of page.body.records) {
    const { recordId, serviceCode, holderCommuneCode, idNumber, fullName, dateOfBirth, sex, permanentAddress, currentAddress, maritalStatus, status, statusDate, source, label, confirmedAt } = record;
    use<[string, string, string | null, string, string, string, 'male' | 'female', string, 'alive' | 'deceased', string | null, string, string | null]>([
      recordId, serviceCode, holderCommuneCode, idNumber, fullName, dateOfBirth, sex, maritalStatus, status, statusDate, source, confirmedAt,
    ]);
    for (const address of [permanentAddress, currentAddress]) use<[string, string | null, string | null, string]>([address.detail, address.communeCode, address.legacyDistrict, address.provinceCode]);
    if (label) use<[string, string[], string, string | undefined, string | undefined]>([label.kind, label.fields, label.expected, label.unrecorded, label.duplicateOf]);
  }
}

async function dossiers(): Promise<void> {
  const applicant = { idNumber: '001089012345', fullName: 'Nguyễn Thị Lan', dateOfBirth: '1989-04-17', sex: 'female', permanentAddress: { detail: 'Số 12 ngõ 34 phố Đội Cấn', communeCode: '00004' } } as const;
  const filed = await call('post', '/portal/v1/dossiers', { header: { 'Idempotency-Key': 'form-1' }, body: { serviceCode: '1.004222', applicant } }, 202, 'application/json');
  use<[string, string]>([filed.headers.Location, filed.headers['Idempotent-Replayed']]);
  type Dossier = typeof filed.body;
  const readDossier = ({ dossierId, serviceCode, status, reason, reasonDetail, applicant, verification, label, filedAt, decidedAt, timeToDecisionMs, attempts }: Dossier) => {
    use<[string, string, 'received' | 'verifying' | 'verified' | 'needs_review' | 'rejected', string | null, string | null, string, string | null]>([
      dossierId, serviceCode, status, reason, reasonDetail, applicant.idNumber, applicant.communeCode,
    ]);
    use<[string, string, string | null, string | null, number | null, number]>([applicant.fullName, filedAt, decidedAt, label?.kind ?? null, timeToDecisionMs, attempts]);
    if (verification) use<[Record<string, string>, string | null, number | null]>([verification.fields, verification.citizenStatus, verification.age]);
  };
  readDossier(filed.body);
  const page = await call('get', '/portal/v1/dossiers', { query: { status: 'needs_review', reason: 'field_mismatch', limit: 10 } }, 200, 'application/json');
  page.body.dossiers.forEach(readDossier);
  use<string | null>(page.body.nextCursor);
  const detail = await call('get', '/portal/v1/dossiers/{dossierId}', { path: { dossierId: filed.body.dossierId } }, 200, 'application/json');
  readDossier(detail.body);
  detail.body.history.forEach(({ status, reason, note, at }) => use<[string, string | null, string | null, string]>([status, reason, note, at]));
  detail.body.verificationAttempts.forEach(({ jobId, attempt, outcome, problemCode, calls, startedAt, finishedAt }) => {
    use<[string, number, string, string | null, string, string]>([jobId, attempt, outcome, problemCode, startedAt, finishedAt]);
    calls.forEach(({ callId, operation, outcome }) => use<[string | null, string, string]>([callId, operation, outcome]));
  });
  const letters = await call('get', '/ops/dead-letters', { query: { serviceCode: '1.004222', reasonClass: 'registry_unreachable' } }, 200, 'application/json');
  letters.body.deadLetters.forEach(({ deadLetterId, dossierId, serviceCode, jobId, reasonClass, error, attempts, failedAt, redrivenAt }) =>
    use<[string, string, string, string, 'registry_unreachable' | 'unprocessable' | 'worker_lost', string, number, string, string | null]>([deadLetterId, dossierId, serviceCode, jobId, reasonClass, error, attempts, failedAt, redrivenAt]),
  );
  use<string | null>(letters.body.nextCursor);
  const redriven = await call('post', '/ops/dead-letters/redrive', { body: { serviceCode: '1.004222' } }, 200, 'application/json');
  use<[number, string[]]>([redriven.body.redriven, redriven.body.dossierIds]);
  const jobs = await call('get', '/ops/verification-jobs', { query: { dossierId: filed.body.dossierId } }, 200, 'application/json');
  jobs.body.jobs.forEach(({ jobId, dossierId, serviceCode, state, attemptsMade, failedReason, queuedAt, finishedAt }) =>
    use<[string, string, string | null, string, number, string | null, string, string | null]>([jobId, dossierId, serviceCode, state, attemptsMade, failedReason, queuedAt, finishedAt]),
  );
}

async function quality(): Promise<void> {
  const generated = await call('post', '/sandbox/portal/dossiers/generate', { body: { count: 200, discrepancyRate: 0.8, seed: 'quality-1' } }, 201, 'application/json');
  const { seed, serviceCode, filed, queued, byKind, byService, staleAddresses, skippedKinds, filedFrom, filedTo, durationMs } = generated.body;
  use<[string, string | null, number, boolean, number, number, string, string, number]>([seed, serviceCode, filed, queued, byKind.none, byKind.minor_for_adult_service, filedFrom, filedTo, durationMs]);
  use<[Record<string, number>, number, number]>([byService, staleAddresses.changeHistory, staleAddresses.synthesised]);
  skippedKinds.forEach(({ kind, reason }) => use<[string, string]>([kind, reason]));
  const report = await call('get', '/portal/v1/quality', { query: { serviceCode: '1.004222', from: filedFrom, to: filedTo } }, 200, 'application/json');
  use<[string | null, string | null, string | null, number, number, number, number]>([
    report.body.serviceCode, report.body.from, report.body.to, report.body.labelled, report.body.scored, report.body.pending, report.body.unscored,
  ]);
  report.body.kinds.forEach(({ kind, verdict, mustPass, dossiers, truePositives, falsePositives, falseNegatives, trueNegatives, precision, recall }) =>
    use<[string, string, boolean, number, number, number, number, number, number | null, number | null]>([
      kind, verdict, mustPass, dossiers, truePositives, falsePositives, falseNegatives, trueNegatives, precision, recall,
    ]),
  );
}

async function syncRuns(): Promise<void> {
  const requested = await call('post', '/portal/v1/sync-runs', { body: { serviceCode: '1.000894', mode: 'verify' } }, 202, 'application/json');
  type SyncRun = (typeof requested.body.runs)[number];
  const readRun = ({ runId, serviceCode, mode, state, stopReason, waiting, requestedAt, startedAt, finishedAt, batches, records, discrepancies, corrections, throughput, eta }: SyncRun) => {
    use<[string, string, 'verify' | 'refresh', 'pending' | 'running' | 'completed' | 'cancelled' | 'stopped', string | null, string, string | null, string | null]>([
      runId, serviceCode, mode, state, stopReason, requestedAt, startedAt, finishedAt,
    ]);
    use<[number | null, number, number | null, number, number, number, number]>([batches.planned, batches.done, records.planned, records.scanned, records.matched, records.withDiscrepancies, records.errors]);
    use<[number, number, number, number, number | null, string | null]>([discrepancies.total, discrepancies.byKind.full_name_normalized, discrepancies.byKind.permanent_address, corrections, throughput.recordsPerSecond, eta]);
    if (waiting) use<[string, string]>([waiting.reason, waiting.until]);
  };
  requested.body.runs.forEach(readRun);
  const runId = requested.body.runs[0]?.runId ?? '0193a0c4-1b2e-7d3f-9a4b-5c6d7e8f9a0b';
  readRun((await call('get', '/portal/v1/sync-runs/{runId}', { path: { runId } }, 200, 'application/json')).body);
  const listed = await call('get', '/portal/v1/sync-runs', { query: { serviceCode: '1.000894', state: 'completed', limit: 10 } }, 200, 'application/json');
  listed.body.runs.forEach(readRun);
  use<string | null>(listed.body.nextCursor);
  const page = await call('get', '/portal/v1/sync-runs/{runId}/discrepancies', { path: { runId }, query: { kind: 'permanent_address', limit: 50 } }, 200, 'application/json');
  page.body.discrepancies.forEach(({ recordId, kind, field, portalValue, registryValue, corrected }) => {
    use<[string, string, string | null, boolean]>([recordId, kind, field, corrected]);
    for (const value of [portalValue, registryValue]) if (value !== null && typeof value !== 'string') use<[string, string | null, string]>([value.detail, value.communeCode, value.provinceCode]);
  });
  use<string | null>(page.body.nextCursor);
  const csv = await call('get', '/portal/v1/sync-runs/{runId}/discrepancies', { path: { runId } }, 200, 'text/csv');
  use<[string, string | undefined]>([csv.body, csv.headers['Content-Disposition']]);
  readRun((await call('post', '/portal/v1/sync-runs/{runId}/cancel', { path: { runId } }, 200, 'application/json')).body);

  const schedules = await call('get', '/ops/sync-schedules', {}, 200, 'application/json');
  type Schedule = (typeof schedules.body.schedules)[number];
  const readSchedule = ({ serviceCode, pattern, timeZone, everyMs, mode, paused, source, updatedAt, nextRunAt }: Schedule) =>
    use<[string, string | null, string, number | null, 'verify' | 'refresh', boolean, 'config' | 'api', string, string | null]>([serviceCode, pattern, timeZone, everyMs, mode, paused, source, updatedAt, nextRunAt]);
  schedules.body.schedules.forEach(readSchedule);
  const path = { serviceCode: '1.000894' };
  readSchedule((await call('put', '/ops/sync-schedules/{serviceCode}', { path, body: { pattern: '0 2 * * *', timeZone: 'Asia/Ho_Chi_Minh', mode: 'refresh' } }, 200, 'application/json')).body);
  readSchedule((await call('post', '/ops/sync-schedules/{serviceCode}/pause', { path }, 200, 'application/json')).body);
  readSchedule((await call('post', '/ops/sync-schedules/{serviceCode}/resume', { path }, 200, 'application/json')).body);
  (await call('post', '/ops/sync-schedules/{serviceCode}/trigger', { path }, 202, 'application/json')).body.runs.forEach(readRun);
}

async function access(): Promise<void> {
  const created = await call('post', '/access/v1/consumers', { body: { name: 'Ngân hàng TMCP Ví Dụ', kind: 'non_state', serviceCodes: ['2.001159'] } }, 201, 'application/json');
  type Consumer = typeof created.body.consumer;
  const readConsumer = (consumer: Consumer) => {
    const { consumerId, name, kind, serviceCodes, keyPrefix, keyIssuedAt, keyRevokedAt, keyActive, isDeveloper, isPortal, rateLimitPerSecond, dailyQuota, createdAt, usageToday } = consumer;
    use<boolean>(isPortal);
    use<[string, string, 'state' | 'non_state', string[], string | null, string | null, string | null, boolean, boolean, number | null, number | null, string]>([
      consumerId, name, kind, serviceCodes, keyPrefix, keyIssuedAt, keyRevokedAt, keyActive, isDeveloper, rateLimitPerSecond, dailyQuota, createdAt,
    ]);
    use<[number, number, number]>([usageToday.calls, usageToday.notFound, usageToday.refused]);
  };
  readConsumer(created.body.consumer);
  use<string>(created.body.apiKey);
  const duplicate = await call('post', '/access/v1/consumers', { body: { name: 'Ngân hàng TMCP Ví Dụ', kind: 'non_state', serviceCodes: ['2.001159'] } }, 409, 'application/problem+json');
  use<string | undefined>(duplicate.body.consumerId);
  const consumerId = created.body.consumer.consumerId;
  (await call('get', '/access/v1/consumers', {}, 200, 'application/json')).body.consumers.forEach(readConsumer);
  readConsumer((await call('get', '/access/v1/consumers/{consumerId}', { path: { consumerId } }, 200, 'application/json')).body);
  const rotated = await call('post', '/access/v1/consumers/{consumerId}/rotate-key', { path: { consumerId } }, 200, 'application/json');
  readConsumer(rotated.body.consumer);
  use<string>(rotated.body.apiKey);
  await call('delete', '/access/v1/consumers/{consumerId}/key', { path: { consumerId } }, 204, null);

  type Access = (typeof accesses.body.accesses)[number];
  const readAccess = ({ at, consumer, serviceCode, serviceName, dossierId, fields, operation, outcome, reason }: Access) => {
    use<[string, string | null, string | null, string | null, string[], string, string, string | null]>([at, serviceCode, serviceName, dossierId, fields, operation, outcome, reason]);
    if (consumer) use<[string, string | null, 'state' | 'non_state' | null]>([consumer.consumerId, consumer.name, consumer.kind]);
  };
  const accesses = await call('get', '/access/v1/citizens/{idNumber}/accesses', { path: { idNumber: PERSONA }, query: { limit: 50 } }, 200, 'application/json');
  use<[string, string | null]>([accesses.body.citizen, accesses.body.nextCursor]);
  accesses.body.accesses.forEach(readAccess);
  const audit = await call(
    'get',
    '/access/v1/audit',
    { query: { consumerId, serviceCode: '2.001159', dossierId: 'HN-2026-000123', outcome: 'refused', from: '2026-11-28T00:00:00+07:00', to: '2026-11-29T00:00:00+07:00', limit: 50 } },
    200,
    'application/json',
  );
  for (const record of audit.body.records) {
    readAccess(record);
    use<[string, string | null, string | null]>([record.requestId, record.officerMasked, record.citizenMasked]);
  }
  if (audit.body.nextCursor !== null) await call('get', '/access/v1/audit', { query: { cursor: audit.body.nextCursor } }, 200, 'application/json');
}

async function operations(): Promise<void> {
  const live = await call('get', '/health', {}, 200, 'application/json');
  use<'ok' | 'error' | 'shutting_down'>(live.body.status);
  const ready = await call('get', '/health/ready', {}, 200, 'application/json');
  const { status, info, error, details } = ready.body;
  use<'ok' | 'error' | 'shutting_down'>(status);
  for (const indicators of [info, error, details]) {
    use<['up' | 'down' | undefined, string | undefined]>([indicators.postgres?.status, indicators.redis?.message]);
  }
  const notReady = await call('get', '/health/ready', {}, 503, 'application/problem+json');
  use<['up' | 'down' | undefined, number]>([notReady.body.checks?.postgres?.status, notReady.headers['Retry-After']]);
  const metrics = await call('get', '/ops/metrics', {}, 200, 'text/plain');
  use<string>(metrics.body);

  type QueueState = Awaited<ReturnType<typeof pause>>['body'];
  const readQueue = ({ name, isPaused, counts, oldestWaitingAgeSeconds, throughput, workers }: QueueState) => {
    use<['sandbox' | 'maintenance' | 'verification' | 'portal-records' | 'sync' | 'coverage', boolean, number | null]>([name, isPaused, oldestWaitingAgeSeconds]);
    const { waiting, active, delayed, prioritized, waitingChildren, completed, failed, paused } = counts;
    use<number[]>([waiting, active, delayed, prioritized, waitingChildren, completed, failed, paused]);
    use<[string, number[], number[]]>([throughput.windowStart, throughput.completedPerMinute, throughput.failedPerMinute]);
    for (const worker of workers) use<[string, number, string, string[], string, string]>([worker.workerId, worker.pid, worker.host, worker.queues, worker.startedAt, worker.lastBeatAt]);
  };
  const queues = await call('get', '/ops/queues', {}, 200, 'application/json');
  queues.body.queues.forEach(readQueue);
  use<string>(queues.body.observedAt);
  const pause = () => call('post', '/ops/queues/{name}/pause', { path: { name: 'verification' } }, 200, 'application/json');
  readQueue((await pause()).body);
  readQueue((await call('post', '/ops/queues/{name}/resume', { path: { name: 'verification' } }, 200, 'application/json')).body);
  const retried = await call('post', '/ops/queues/{name}/retry-failed', { path: { name: 'verification' } }, 200, 'application/json');
  use<[string, number]>([retried.body.queue, retried.body.retried]);
  const cleaned = await call('post', '/ops/queues/{name}/clean', { path: { name: 'verification' }, body: { state: 'failed', graceMs: 3_600_000, limit: 100 } }, 200, 'application/json');
  const { queue, state, removed, removedJobIds } = cleaned.body;
  use<[string, 'completed' | 'failed' | 'delayed' | 'waiting' | 'prioritized', number, string[]]>([queue, state, removed, removedJobIds]);
  const unknownQueue = await call('post', '/ops/queues/{name}/pause', { path: { name: 'verification' } }, 404, 'application/problem+json');
  use<string>(unknownQueue.body.code);
  const jobs = await call('get', '/ops/queues/{name}/jobs', { path: { name: 'verification' }, query: { state: 'failed', name: 'verify-dossier', limit: 50 } }, 200, 'application/json');
  for (const job of jobs.body.jobs) {
    use<[string, string, string, number, number, string, string | null, string | null, string | null]>([job.jobId, job.name, job.state, job.attemptsMade, job.attempts, job.addedAt, job.processedAt, job.finishedAt, job.failedReason]);
  }
  if (jobs.body.nextCursor !== null) await call('get', '/ops/queues/{name}/jobs', { path: { name: 'verification' }, query: { cursor: jobs.body.nextCursor } }, 200, 'application/json');
  const board = await call('get', '/ops/board', {}, 200, 'text/html');
  use<string>(board.body);
  const signIn = await call('get', '/ops/board', {}, 401, 'application/problem+json');
  use<[string, string]>([signIn.body.code, signIn.headers['WWW-Authenticate']]);
}

async function developers(): Promise<void> {
  const registered = await call('post', '/sandbox/developers', { body: { name: 'Team Hải Phòng portal' } }, 201, 'application/json');
  const { consumerId, name, kind, serviceCodes, apiKey, howToCall } = registered.body;
  use<[string, string, 'state', string[], string]>([consumerId, name, kind, serviceCodes, apiKey]);
  use<[string, string, string, string, string, string]>([howToCall.headers.Authorization, howToCall.headers['X-Service-Code'], howToCall.tryIt, howToCall.services, howToCall.journal, howToCall.note]);
  const taken = await call('post', '/sandbox/developers', { body: { name: 'Team Hải Phòng portal' } }, 409, 'application/problem+json');
  use<string>(taken.body.code);
  const tooMany = await call('post', '/sandbox/developers', { body: { name: 'Another team' } }, 429, 'application/problem+json');
  use<number>(tooMany.headers['Retry-After']);
}

async function faults(): Promise<void> {
  const kinds = await call('get', '/sandbox/fault-kinds', {}, 200, 'application/json');
  use(kinds.body);
  const connectors = await call('get', '/connectors/v1', {}, 200, 'application/json');
  connectors.body.connectors.forEach((c) => use<[string, string, string[], boolean, string | null]>([c.serviceCode, c.state, c.operations, c.applyFaultsToAllCallers, c.note]));
  const connector = await call('get', '/connectors/v1/{serviceCode}', { path: { serviceCode: '1.004222' } }, 200, 'application/json');
  use(connector.body.faultProfile);
  const changed = await call('put', '/connectors/v1/{serviceCode}', { path: { serviceCode: '1.004222' }, body: { state: 'maintenance', operations: ['verify', 'look-up'] } }, 200, 'application/json');
  use(changed.body.updatedAt);
  const session = await call('post', '/sandbox/sessions', { body: { label: 'retry test' } }, 201, 'application/json');
  const sessionId: string = session.body.sessionId;
  const header = { 'X-Sandbox-Session': sessionId };
  const set = await call('put', '/sandbox/faults', { header, body: { serviceCode: 'SANDBOX-ALL', profile: { failFirst: { attempts: 2, kind: 'unavailable' } } } }, 200, 'application/json');
  use([set.body.consumerId, set.body.sessionId, set.body.serviceCode, set.body.profile, set.body.updatedAt]);
  const profiles = await call('get', '/sandbox/faults', { header }, 200, 'application/json');
  profiles.body.profiles.forEach((p) => use(p.profile));
  await call('delete', '/sandbox/faults', { header, query: { serviceCode: 'SANDBOX-ALL' } }, 204, null);
  await call('delete', '/sandbox/sessions/{sessionId}', { path: { sessionId } }, 204, null);
  const faulted = await call('get', '/registry/v1/citizens/{idNumber}', { path: { idNumber: PERSONA }, header: purpose }, 503, 'application/problem+json');
  use<string | undefined>(faulted.headers['X-Sandbox-Fault-Applied']);
}

async function journal(): Promise<void> {
  const served = await call('get', '/registry/v1/citizens/{idNumber}', { path: { idNumber: PERSONA }, header: purpose }, 200, 'application/json');
  use<string | undefined>(served.headers['X-Call-Id']);
  const page = await call('get', '/journal/v1/calls', { query: { serviceCode: 'SANDBOX-ALL', outcome: 'refused', operation: 'lookup', limit: 50 } }, 200, 'application/json');
  const readCall = (c: (typeof page.body.calls)[number]) => {
    use<[string, string, string, 'http' | 'in_process', string | null, string | null]>([c.callId, c.receivedAt, c.requestId, c.transport, c.consumerId, c.serviceCode]);
    use<[string, string | null, string | null, number | null, string, number | null, string | null, string | null]>([c.operation, c.dossierId, c.jobId, c.attempt, c.outcome, c.httpStatus, c.problemCode, c.faultKind]);
    use<[number, string[], string[], number | undefined, string | null, string]>([c.latencyMs, c.fieldsRequested, c.fieldsReturned, c.batch?.notFound, c.personaKey, c.fingerprint]);
    use<number | null>(c.retryAfterSeconds);
  };
  page.body.calls.forEach(readCall);
  if (page.body.nextCursor !== null) await call('get', '/journal/v1/calls', { query: { cursor: page.body.nextCursor } }, 200, 'application/json');
  const csv = await call('get', '/journal/v1/calls', {}, 200, 'text/csv');
  use<[string, string | undefined]>([csv.body, csv.headers['Content-Disposition']]);
  readCall((await call('get', '/journal/v1/calls/{callId}', { path: { callId: '01938a1e-7c2a-7d4e-9b1f-3c5e8a0f2d41' } }, 200, 'application/json')).body);
  const missing = await call('get', '/journal/v1/calls/{callId}', { path: { callId: '01938a1e-7c2a-7d4e-9b1f-3c5e8a0f2d41' } }, 404, 'application/problem+json');
  use<string>(missing.body.code);
}

async function readiness(): Promise<void> {
  const path = { consumerId: '6b1e2f9a-1d4c-4f0e-8a7b-2c9d3e4f5a6b' };
  const report = await call('get', '/coverage/v1/consumers/{consumerId}/scenarios', { path, query: { from: '2026-11-24T00:00:00+07:00', to: '2026-12-01T00:00:00+07:00' } }, 200, 'application/json');
  const { consumerId, consumerName, from, to, analysedCalls, truncated, analysedFrom, rules } = report.body;
  use<[string, string, string, string, number, boolean, string | null]>([consumerId, consumerName, from, to, analysedCalls, truncated, analysedFrom]);
  use<[number, number, number, number]>([rules.retryWindowMs, rules.minRetryGapMs, rules.maxRetries, rules.backoffJitterShare]);
  for (const service of report.body.services) {
    use<[string, 'ready' | 'not_ready' | 'untested', string, number]>([service.serviceCode, service.verdict, service.reason, service.calls]);
    for (const item of service.checklist) {
      use<[string, string, string, 'passed' | 'failed' | 'not_exercised', number, number]>([item.item, item.title, item.expected, item.status, item.instances, item.failures]);
      for (const e of item.evidence) {
        use<[string, string, string, string, string, number | null, string | null, string | null, boolean, string]>([e.callId, e.at, e.requestId, e.operation, e.outcome, e.httpStatus, e.problemCode, e.faultKind, e.passed, e.finding]);
        for (const n of e.next) use<[string, string, number, string, boolean, boolean, string, number | null]>([n.callId, n.at, n.gapMs, n.requestId, n.sameRequestId, n.sameFingerprint, n.outcome, n.httpStatus]);
      }
    }
    use<number>(service.personas.total);
    for (const met of service.personas.exercised) use<[string, string, string, number, string, string]>([met.operation, met.personaKey, met.title, met.calls, met.lastCallId, met.lastAt]);
    for (const missing of service.personas.notExercised) use<[string, string, string, string[]]>([missing.operation, missing.personaKey, missing.title, missing.observableFields]);
  }
  const csv = await call('get', '/coverage/v1/consumers/{consumerId}/scenarios', { path, query: {} }, 200, 'text/csv');
  use<[string, string | undefined]>([csv.body, csv.headers['Content-Disposition']]);
  const refused = await call('get', '/coverage/v1/consumers/{consumerId}/scenarios', { path, query: {} }, 403, 'application/problem+json');
  use<string>(refused.body.code);
}

async function coverage(): Promise<void> {
  const period = { from: '2026-11-30T21:00:00+07:00', to: '2026-12-01T21:00:00+07:00' };
  type Line = Awaited<ReturnType<typeof readServices>>[number];
  const readLine = (line: Line) => {
    use<[string, string, string, string, boolean, number | null, 'enabled' | 'maintenance' | 'disabled', string[]]>([
      line.serviceCode, line.nameVi, line.nameEn, line.leadAgency, line.essential, line.project06Number, line.connector.state, line.connector.operations,
    ]);
    use<['planned' | 'testing' | 'live', string, string, number, number, number, number]>([line.stage, line.period.from, line.period.to, line.calls.total, line.calls.byOutcome.ok, line.calls.byOutcome.timeout, line.calls.byOutcome.quota_exhausted]);
    use<[number | null, number | null, number | null, number | null]>([line.successRate, line.latencyMs.p50, line.latencyMs.p95, line.latencyMs.p99]);
    const d = line.dossiers;
    use<[number, number, number | null, number | null, number | null, number]>([d.filed, d.decidedAutomatically, d.automationRate, d.decisionP50Seconds, d.decisionP95Seconds, d.backlog]);
    if (line.lastSyncRun) {
      const r = line.lastSyncRun;
      use<[string, string | null, number, number, number | null, Record<string, number>]>([r.runId, r.finishedAt, r.scanned, r.matched, r.driftRate, r.discrepancyRateByKind]);
    }
    use<['integrated' | 'degraded' | 'not_integrated' | 'no_traffic', string]>([line.status, line.statusReason]);
  };
  async function readServices() {
    const answer = await call('get', '/coverage/v1/services', { query: period }, 200, 'application/json');
    const { headline, thresholds } = answer.body;
    use<[number, number, number, number, number]>([headline.essentialServices, headline.essentialIntegrated, headline.confirmedList, headline.shareOfConfirmed, headline.essentialByStatus.integrated]);
    use<[number, number, number, string]>([thresholds.minCalls, thresholds.minSuccessRate, thresholds.maxP95LatencyMs, answer.body.period.from]);
    return answer.body.services;
  }
  (await readServices()).forEach(readLine);
  const csv = await call('get', '/coverage/v1/services', { query: period }, 200, 'text/csv');
  use<[string, string | undefined]>([csv.body, csv.headers['Content-Disposition']]);
  const one = await call('get', '/coverage/v1/services/{code}', { path: { code: '2.001159' }, query: period }, 200, 'application/json');
  readLine(one.body);
  const minimisation = one.body.dataMinimisation;
  use<string[]>(minimisation.neverReturned);
  minimisation.refused.forEach(({ field, calls }) => use<[string, number]>([field, calls]));
  minimisation.fields.forEach(({ field, inAllowList, requested, returned }) => use<[string, boolean, number, number]>([field, inAllowList, requested, returned]));
  use<string>((await call('get', '/coverage/v1/services/{code}', { path: { code: '2.001159' } }, 200, 'text/csv')).body);
  readLine((await call('put', '/coverage/v1/services/{code}/stage', { path: { code: '2.001159' }, body: { stage: 'live' } }, 200, 'application/json')).body);
  const series = await call('get', '/coverage/v1/timeseries', { query: { service: '2.001159', measure: 'p95_latency_ms', interval: 'day', ...period } }, 200, 'application/json');
  use<[string | null, string, 'hour' | 'day', string, string, string]>([series.body.service, series.body.measure, series.body.interval, series.body.from, series.body.to, series.body.previousFrom]);
  series.body.points.forEach(({ at, value, previous }) => use<[string, number | null, number | null]>([at, value, previous]));
  use<string>((await call('get', '/coverage/v1/timeseries', { query: { measure: 'calls' } }, 200, 'text/csv')).body);
  const agencies = await call('get', '/coverage/v1/agencies', { query: period }, 200, 'application/json');
  agencies.body.agencies.forEach((a) =>
    use<[string, number, string[], number, number, number, number | null, number, number | null, number]>([
      a.leadAgency, a.essentialServices, a.serviceCodes, a.services, a.byStatus.degraded, a.calls, a.successRate, a.dossiersFiled, a.automationRate, a.backlog,
    ]),
  );
  use<string>((await call('get', '/coverage/v1/agencies', {}, 200, 'text/csv')).body);
  const areas = await call('get', '/coverage/v1/areas', { query: { ...period, level: 'commune' } }, 200, 'application/json');
  use<['province' | 'commune', string]>([areas.body.level, areas.body.period.to]);
  areas.body.areas.forEach((a) =>
    use<[string | null, string | null, string | null, number, number, number | null, number]>([a.code, a.name, a.provinceCode, a.dossiersFiled, a.decidedAutomatically, a.automationRate, a.backlog]),
  );
  use<string>((await call('get', '/coverage/v1/areas', {}, 200, 'text/csv')).body);
  const replay = await call('post', '/coverage/v1/rollups/replay', { body: { from: period.from, to: period.to } }, 202, 'application/json');
  use<[string, string, string, number]>([replay.body.jobId, replay.body.from, replay.body.to, replay.body.hours]);
  const refused = await call('get', '/coverage/v1/services', {}, 401, 'application/problem+json');
  use<[string, string | undefined]>([refused.body.code, refused.headers['WWW-Authenticate']]);
}

async function dashboard(): Promise<void> {
  const page = await call('get', '/dashboard', { query: { lang: 'en' } }, 200, 'text/html');
  use<[string, string | undefined, string | undefined]>([page.body, page.headers['Set-Cookie'], page.headers['Content-Security-Policy']]);
  const session = await call('get', '/dashboard/session', {}, 200, 'application/json');
  use<['admin' | 'manager' | 'consumer', string | undefined, string | undefined, string]>([session.body.role, session.body.consumerId, session.body.consumerName, session.body.expiresAt]);
  use<string>((await call('get', '/dashboard/assets/{file}', { path: { file: 'dashboard.js' } }, 200, 'text/javascript')).body);
  use<string>((await call('get', '/dashboard/assets/{file}', { path: { file: 'dashboard.css' } }, 200, 'text/css')).body);
  const texts = await call('get', '/dashboard/assets/{file}', { path: { file: 'i18n.json' } }, 200, 'application/json');
  use<string | undefined>(texts.body['vi']?.['page.title']);
}

export const client = { registry, sandbox, portal, access, operations, journal, developers, faults, readiness, coverage, dashboard };
