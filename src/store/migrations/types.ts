/** Column types that differ between dialects; a migration writes its DDL once against these. */
export interface Ddl {
  dialect: 'sqlite' | 'postgres';
  /** An auto-incrementing 64-bit primary key column type. */
  autoId: string;
  /** A 64-bit integer. */
  bigint: string;
}

/** One versioned migration: its statements for the given dialect, applied in one transaction. */
export interface Migration {
  version: string;
  statements(ddl: Ddl): string[];
}
