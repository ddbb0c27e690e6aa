import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Store } from './store.ts';
import { RedisStore } from './redis-store.ts';
import { SqliteStore } from './sqlite-store.ts';

/** Opens the store named by STORE_URL: `sqlite://<path>` for one process, `redis://…`/`rediss://…` for several. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite://')) return openSqliteFile(url.slice('sqlite://'.length));
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return RedisStore.open(url);
  throw new Error(`unsupported STORE_URL scheme: ${url.split(':')[0] ?? ''}`);
}

/**
 * Creates the file's own directory when missing, and no other: a mistyped absolute path must not leave a
 * tree of directories behind. Every failure names the file and what to do.
 */
function openSqliteFile(path: string): SqliteStore {
  if (path === ':memory:') return SqliteStore.open('sqlite://:memory:');
  const file = resolve(path);
  const directory = dirname(file);
  if (!existsSync(directory)) {
    const parent = dirname(directory);
    if (!isDirectory(parent)) {
      throw new Error(
        `STORE_URL: cannot create ${directory} for the SQLite file, because ${parent} does not exist (only the file's own directory is created)`,
      );
    }
    try {
      mkdirSync(directory);
    } catch (error) {
      throw new Error(`STORE_URL: cannot create the directory ${directory} for the SQLite file: ${reason(error)}`, { cause: error });
    }
  } else if (!isDirectory(directory)) {
    throw new Error(`STORE_URL: cannot create the SQLite file ${file}, because ${directory} is not a directory`);
  }
  try {
    return SqliteStore.open(`sqlite://${file}`);
  } catch (error) {
    // Opening creates the file and its schema, so a file or directory the bot may not write fails here.
    throw new Error(
      `STORE_URL: cannot create or write the SQLite file ${file}: ${reason(error)} (the bot's user needs to write the file and its directory)`,
      { cause: error },
    );
  }
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
