/** The pg pool behind the DataSource, for hot-path queries with named prepared statements. */
export const PG_POOL = Symbol('PG_POOL');
