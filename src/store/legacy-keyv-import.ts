import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { parseStoredReservation, storeKeys } from './store-records.ts';

/** A row of @keyv/sqlite's table, and the envelope Keyv serialised each value in. */
const legacyRowSchema = z.object({ key: z.string(), value: z.string() });
const envelopeSchema = z.object({ value: z.unknown(), expires: z.number().nullish() });
const counterSchema = z.number().int().positive();
const claimSchema = z.object({ value: z.string(), expiresAt: z.number() });
const setSchema = z.array(z.string());

/** Undoes Keyv's escaping of strings that start with `:` (Buffers are never among the store's own records). */
const unescapeKeyvStrings = (_: string, value: unknown): unknown =>
  typeof value === 'string' && value.startsWith(':') ? value.slice(1) : value;

/**
 * Moves the data of a file written by the earlier SQLite store into today's tables, once. That store was Keyv
 * over @keyv/sqlite: every value sat in one table `keyv`, the store's own records too (counters, reservations,
 * claims, sets), under `<namespace>:` keys and in Keyv's `{"value":…,"expires":…}` envelope.
 *
 * Runs inside the transaction that creates the tables, so a crash half-way leaves the old table in place for
 * the next start. Expired rows are left behind; unreadable ones too, as the earlier store skipped them.
 */
export function importLegacyKeyvTable(db: DatabaseSync, namespace: string, now: number): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'keyv'").get();
  if (exists === undefined) return;

  const insert = {
    kv: db.prepare('INSERT OR REPLACE INTO kv (key, value, expires_at) VALUES (?, ?, ?)'),
    counter: db.prepare('INSERT OR REPLACE INTO counters (key, value, expires_at) VALUES (?, ?, ?)'),
    reservation: db.prepare('INSERT OR REPLACE INTO reservations (key, record) VALUES (?, ?)'),
    member: db.prepare('INSERT OR IGNORE INTO set_members (set_key, member) VALUES (?, ?)'),
    claim: db.prepare('INSERT OR REPLACE INTO claims (key, owner, expires_at) VALUES (?, ?, ?)'),
  };
  const prefix = `${namespace}:`;
  const counterPrefix = storeKeys.counter('');
  const reservationPrefix = storeKeys.reservation('');
  const claimPrefix = storeKeys.claim('');

  for (const found of db.prepare('SELECT key, value FROM keyv ORDER BY rowid').all()) {
    const row = legacyRowSchema.safeParse(found);
    if (!row.success) continue;
    const { key, value: text } = row.data;
    let envelope: z.infer<typeof envelopeSchema>;
    try {
      const parsed = envelopeSchema.safeParse(JSON.parse(text, unescapeKeyvStrings));
      if (!parsed.success) continue;
      envelope = parsed.data;
    } catch {
      continue;
    }
    // Whole milliseconds: the new columns are STRICT integers.
    const expiresAt = envelope.expires == null ? null : Math.ceil(envelope.expires);
    if (expiresAt !== null && expiresAt <= now) continue;
    const name = key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
    const members = setSchema.safeParse(envelope.value);

    if (name?.startsWith(counterPrefix)) {
      const amount = counterSchema.safeParse(envelope.value);
      if (amount.success) insert.counter.run(name.slice(counterPrefix.length), amount.data, expiresAt);
    } else if (name?.startsWith(reservationPrefix)) {
      const reservation = parseStoredReservation(envelope.value);
      if (reservation) insert.reservation.run(name.slice(reservationPrefix.length), JSON.stringify(reservation));
    } else if (name === storeKeys.reservations) {
      // The index of open reservations: the reservations table is that index now.
    } else if (name?.startsWith(claimPrefix)) {
      const claim = claimSchema.safeParse(envelope.value);
      if (claim.success && claim.data.expiresAt > now) {
        insert.claim.run(name.slice(claimPrefix.length), claim.data.value, Math.ceil(claim.data.expiresAt));
      }
    } else if (name !== undefined && members.success) {
      // Sets were the store's Keyv arrays; no plain value this bot writes is an array of strings.
      for (const member of members.data) insert.member.run(name, member);
    } else {
      // A plain value: Keyv's text as it was, which Keyv reads back the same way.
      insert.kv.run(key, text, expiresAt);
    }
  }
  db.exec('DROP TABLE keyv');
}
