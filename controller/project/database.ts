// sql.js (SQLite compiled to WebAssembly): the whole project database lives in memory.
import initSqlJs, {type Database, type SqlJsStatic} from 'sql.js'

let sqlJs: Promise<SqlJsStatic> | undefined

export async function openDatabase(bytes?: Uint8Array): Promise<Database> {
  sqlJs ??= initSqlJs()
  const SQL = await sqlJs
  return new SQL.Database(bytes)
}

export type {Database}
