import type pg from 'pg';

/**
 * The floor of `npm run bench:sync`: one set-based SQL statement that does what a `verify` run of a service does to
 * the database, for every record of the service at once. It joins the records with the registry's citizens, computes
 * the same discrepancies as the run (sync-discrepancies.ts, for a service whose allow-list holds every field a portal
 * record holds), writes one result row per record (portal_sync_results, under a run row of its own) and the audit
 * rows the run writes (one `verify_batch_item` per record, and one `lookup` per record the registry holds, with the
 * same HMAC of the ID number from the same key, the same fields, and a call id as the run's rows have). It makes no
 * call, no journal row and no queue job: it is what the database alone needs for the run's outcome. One difference,
 * which makes the floor cheaper and so the ratio conservative: an address's registry value is written with the codes
 * only, where the run writes the registry's answer with the commune's and province's names (the names come from the
 * code lists, which the database does not hold).
 *
 * Name folding is the SQL form of foldName (identity/name-folding.ts): NFD, combining marks and zero-width characters
 * removed, đ and ð to d, lower case, white space collapsed. The bench compares the floor's results with the run's,
 * record by record (sameResults), and fails when one differs: the floor is known to compute the same thing.
 */
const FOLD = (column: string) =>
  `btrim(regexp_replace(lower(translate(regexp_replace(normalize(${column}, NFD), '[\\u0300-\\u036f\\u200b-\\u200d\\u2060\\ufeff]', '', 'g'), 'đĐðÐ', 'dddd')), '\\s+', ' ', 'g'))`;

/** placeOf (sync-discrepancies.ts) of a stored-shape jsonb address, and of the registry's address columns. */
const PLACE_OF_JSON = (a: string) =>
  `ARRAY[${a}->>'detail', ${a}->>'communeCode', ${a}->>'provinceCode', CASE WHEN ${a}->>'communeCode' IS NULL THEN ${a}->>'legacyCommune' END, CASE WHEN ${a}->>'communeCode' IS NULL THEN ${a}->>'legacyDistrict' END]`;
const PLACE_OF_COLUMNS = (p: string) =>
  `ARRAY[${p}_detail, ${p}_commune_code::text, ${p}_province_code::text, CASE WHEN ${p}_commune_code IS NULL THEN ${p}_legacy_commune END, CASE WHEN ${p}_commune_code IS NULL THEN ${p}_legacy_district END]`;
const ADDRESS_OF_COLUMNS = (p: string) =>
  `jsonb_build_object('detail', ${p}_detail, 'communeCode', ${p}_commune_code::text, 'legacyCommune', ${p}_legacy_commune, 'legacyDistrict', ${p}_legacy_district, 'provinceCode', ${p}_province_code::text)`;

const discrepancy = (kind: string, field: string | null, portal: string, registry: string) =>
  `jsonb_build_object('kind', '${kind}', 'field', ${field === null ? 'NULL' : `'${field}'`}, 'portalValue', ${portal}, 'registryValue', ${registry})`;

const FLOOR_STATEMENT = `
  WITH records AS (
    SELECT p.record_id, p.id_number, p.full_name, p.date_of_birth, p.sex, p.permanent_address, p.current_address, p.marital_status, p.status,
           min(p.record_id) OVER (PARTITION BY p.id_number) < p.record_id AS duplicate,
           c.id_number IS NOT NULL AS found, c.full_name AS c_full_name, c.date_of_birth AS c_date_of_birth, c.sex AS c_sex, c.status AS c_status,
           c.marital_status AS c_marital_status,
           ${PLACE_OF_COLUMNS('c.permanent')} AS c_permanent_place, ${ADDRESS_OF_COLUMNS('c.permanent')} AS c_permanent,
           CASE WHEN c.temporary_detail IS NULL THEN ${PLACE_OF_COLUMNS('c.permanent')} ELSE ${PLACE_OF_COLUMNS('c.temporary')} END AS c_current_place,
           CASE WHEN c.temporary_detail IS NULL THEN ${ADDRESS_OF_COLUMNS('c.permanent')} ELSE ${ADDRESS_OF_COLUMNS('c.temporary')} END AS c_current
    FROM portal_records p LEFT JOIN citizens c ON c.id_number = p.id_number
    WHERE p.service_code = $1
  ), checked AS (
    SELECT r.*,
           CASE WHEN r.full_name = r.c_full_name THEN 'exact' WHEN ${FOLD('r.full_name')} = ${FOLD('r.c_full_name')} THEN 'normalized' ELSE 'mismatch' END AS name_check
    FROM records r
  ), found AS (
    SELECT k.record_id, k.id_number, k.found, k.name_check, k.date_of_birth = k.c_date_of_birth AND k.sex = k.c_sex AND k.name_check <> 'mismatch' AS verified,
           -- The look-up's fields as lookupFieldsOf chooses them after the verdict (its audit row lists them).
           ARRAY['permanentAddress', 'currentAddress', 'maritalStatus']
             || CASE WHEN k.name_check <> 'exact' THEN ARRAY['fullName'] ELSE '{}' END
             || CASE WHEN k.date_of_birth <> k.c_date_of_birth THEN ARRAY['dateOfBirth'] ELSE '{}' END
             || CASE WHEN k.sex <> k.c_sex THEN ARRAY['sex'] ELSE '{}' END
             || CASE WHEN NOT (k.date_of_birth = k.c_date_of_birth AND k.sex = k.c_sex AND k.name_check <> 'mismatch') OR k.c_status = 'deceased'
                     THEN ARRAY['citizenStatus', 'statusDate'] ELSE '{}' END AS lookup_fields,
           array_remove(ARRAY[
             CASE WHEN k.duplicate THEN ${discrepancy('duplicate', 'idNumber', 'NULL', 'NULL')} END,
             CASE WHEN NOT k.found THEN ${discrepancy('not_found', 'idNumber', 'NULL', 'NULL')} END,
             CASE WHEN k.found AND k.name_check = 'normalized' THEN ${discrepancy('full_name_normalized', 'fullName', 'to_jsonb(k.full_name)', 'to_jsonb(k.c_full_name)')} END,
             CASE WHEN k.found AND k.name_check = 'mismatch' THEN ${discrepancy('full_name', 'fullName', 'to_jsonb(k.full_name)', 'to_jsonb(k.c_full_name)')} END,
             CASE WHEN k.found AND k.date_of_birth <> k.c_date_of_birth THEN ${discrepancy('date_of_birth', 'dateOfBirth', 'to_jsonb(k.date_of_birth)', 'to_jsonb(k.c_date_of_birth)')} END,
             CASE WHEN k.found AND k.sex <> k.c_sex THEN ${discrepancy('sex', 'sex', 'to_jsonb(k.sex)', 'to_jsonb(k.c_sex)')} END,
             CASE WHEN k.found AND k.c_status = 'deceased' AND k.status <> 'deceased' THEN ${discrepancy('deceased', 'citizenStatus', 'to_jsonb(k.status)', `'"deceased"'::jsonb`)} END,
             CASE WHEN k.found AND k.c_status = 'alive' AND k.status = 'deceased' THEN ${discrepancy('citizen_status', 'citizenStatus', 'to_jsonb(k.status)', `'"alive"'::jsonb`)} END,
             CASE WHEN k.found AND ${PLACE_OF_JSON('k.permanent_address')} IS DISTINCT FROM k.c_permanent_place THEN ${discrepancy('permanent_address', 'permanentAddress', 'k.permanent_address', 'k.c_permanent')} END,
             CASE WHEN k.found AND ${PLACE_OF_JSON('k.current_address')} IS DISTINCT FROM k.c_current_place THEN ${discrepancy('current_address', 'currentAddress', 'k.current_address', 'k.c_current')} END,
             CASE WHEN k.found AND k.marital_status <> k.c_marital_status THEN ${discrepancy('marital_status', 'maritalStatus', 'to_jsonb(k.marital_status)', 'to_jsonb(k.c_marital_status)')} END
           ], NULL) AS found_discrepancies
    FROM checked k
  ), results AS (
    INSERT INTO portal_sync_results (run_id, record_id, batch_no, matched, kinds, discrepancies, corrected, error)
    SELECT $2, f.record_id, 0, cardinality(f.found_discrepancies) = 0, ARRAY(SELECT d->>'kind' FROM unnest(f.found_discrepancies) d), to_jsonb(f.found_discrepancies), false, NULL
    FROM found f
    RETURNING kinds
  ), audited AS (
    INSERT INTO access_audit (request_id, consumer_id, service_code, operation, citizen_hmac, citizen_masked, fields, outcome, call_id)
    SELECT $3, $4, $5, a.operation, encode(hmac(convert_to(f.id_number, 'UTF8'), decode($6, 'hex'), 'sha256'), 'hex'), left(f.id_number, 3) || '*******' || right(f.id_number, 2), a.fields, a.outcome, gen_random_uuid()
    FROM found f CROSS JOIN LATERAL (VALUES
      ('verify_batch_item', ARRAY['idNumber', 'fullName', 'dateOfBirth', 'sex'], CASE WHEN NOT f.found THEN 'not_found' WHEN f.verified THEN 'match' ELSE 'mismatch' END),
      ('lookup', f.lookup_fields, CASE WHEN f.found THEN 'ok' END)
    ) AS a (operation, fields, outcome)
    WHERE a.outcome IS NOT NULL
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM audited)::int AS "auditRows",
         (SELECT coalesce(jsonb_object_agg(kind, n), '{}'::jsonb) FROM (SELECT kind, count(*)::int AS n FROM results, unnest(kinds) kind GROUP BY kind) k) AS kinds,
         (SELECT count(*) FROM results)::int AS results`;

/** What the floor wrote. */
export interface FloorOutcome {
  results: number;
  auditRows: number;
  kinds: Record<string, number>;
  seconds: number;
}

/**
 * Runs the floor over the service's records, in one statement, under a run row of its own (state `completed`, so
 * that it holds no running or pending slot of the service). pgcrypto gives the same HMAC as CitizenHmac; it is
 * created in the bench's database only (the application needs no extension).
 */
export async function runFloor(pool: pg.Pool, serviceCode: string, consumerId: string, runId: string): Promise<FloorOutcome> {
  await pool.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
  const [{ value: key }] = (await pool.query<{ value: string }>(`SELECT value FROM access_secrets WHERE name = 'citizen_hmac_key'`)).rows;
  await pool.query(`INSERT INTO portal_sync_runs (run_id, service_code, mode, state, requested_by, started_at, finished_at) VALUES ($1, $2, 'verify', 'completed', 'bench:sync floor', now(), now())`, [runId, serviceCode]);
  const started = performance.now();
  const { rows } = await pool.query<Omit<FloorOutcome, 'seconds'>>(FLOOR_STATEMENT, [serviceCode, runId, `bench-floor-${runId}`, consumerId, serviceCode, key]);
  return { ...rows[0], seconds: (performance.now() - started) / 1000 };
}

/**
 * The records whose kinds differ between two runs' results (each record's kinds compared as a sorted set, a record
 * present in one run only counting too): 0 when the floor computed what the run did.
 */
export async function differingResults(pool: pg.Pool, runId: string, floorRunId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n
     FROM (SELECT record_id, ARRAY(SELECT unnest(kinds) ORDER BY 1) AS kinds FROM portal_sync_results WHERE run_id = $1) a
     FULL JOIN (SELECT record_id, ARRAY(SELECT unnest(kinds) ORDER BY 1) AS kinds FROM portal_sync_results WHERE run_id = $2) b USING (record_id)
     WHERE a.kinds IS DISTINCT FROM b.kinds`,
    [runId, floorRunId],
  );
  return rows[0].n;
}
