// sql.js (SQLite compiled to WebAssembly): the whole project database lives in memory.
import initSqlJs, {type Database, type SqlJsStatic} from 'sql.js'

let sqlJs: Promise<SqlJsStatic> | undefined

export async function openDatabase(bytes?: Uint8Array): Promise<Database> {
  sqlJs ??= initSqlJs()
  const SQL = await sqlJs
  const db = new SQL.Database(bytes)
  // sql.js keeps the database in an in-memory file system; SQLite's own rollback journal there
  // would be a file created and deleted per transaction, and each transaction would look for a hot
  // journal. Durability is the project journal's job; one process owns the database.
  db.run('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY')
  return db
}

export type {Database}
