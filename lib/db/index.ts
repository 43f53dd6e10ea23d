import 'server-only';

export { getSql, closeSql, createSqlClient, type Sql, type TransactionSql } from './client.ts';
export { withUserScope, withServiceScope, type Claims } from './scope.ts';
export { isDatabaseUnavailable, withRequestDeadline, DatabaseUnavailableError, RETRY_AFTER_SECONDS } from './availability.ts';
