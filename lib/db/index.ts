import 'server-only';

export { getSql, closeSql, createSqlClient, databaseUrl, isEmbeddedDatabase, type Sql, type TransactionSql } from './client.ts';
export { withUserScope, withUserScopeStatements, withServiceScope, withServiceScopeStatements, type Claims } from './scope.ts';
export { COLOCATE_WITH, DISTRIBUTION_COLUMN, REFERENCE_TABLES } from './distribution.ts';
export { isDatabaseUnavailable, withRequestDeadline, DatabaseUnavailableError, RETRY_AFTER_SECONDS } from './availability.ts';
