/** Where the quota keeps its counters and reservations in the store, and what a reservation records. */

export const quotaKeys = {
  settings: (g: string) => `quota-settings:${g}`,
  memberUsed: (g: string, p: string, u: string) => `used:member:${g}:${p}:${u}`,
  memberGranted: (g: string, p: string, u: string) => `granted:member:${g}:${p}:${u}`,
  memberReset: (g: string, p: string, u: string) => `reset:member:${g}:${p}:${u}`,
  serverUsed: (g: string, p: string) => `used:server:${g}:${p}`,
  globalUsed: (p: string) => `used:global:${p}`,
  /** The operator's ceiling per server and UTC day, whatever the server's own period. */
  serverDayUsed: (g: string, day: string) => `used:server-day:${g}:${day}`,
  memberActive: (g: string, u: string) => `active:member:${g}:${u}`,
  memberRunning: (g: string, u: string) => `running:member:${g}:${u}`,
  serverRunning: (g: string) => `running:server:${g}`,
  members: (g: string, p: string) => `members:${g}:${p}`,
  unitsReservation: (taskId: string) => `units:${taskId}`,
  /** The operator's spend for a task, settled apart from the member's units. */
  spendReservation: (taskId: string) => `spend:${taskId}`,
  slotReservation: (taskId: string) => `slot:${taskId}`,
};

/** Stored with each reservation: who reserved what for which task (for reconciling after a crash). */
export interface ReservationMeta {
  taskId: string;
  guildId: string;
  userId: string;
  units: number;
  /** The requester's own data (ReserveRequest.caller), never read by the quota. */
  caller?: unknown;
}

export function parseMeta(meta: string): ReservationMeta | undefined {
  try {
    const value = JSON.parse(meta) as Partial<ReservationMeta>;
    if (typeof value.taskId === 'string' && typeof value.guildId === 'string' && typeof value.userId === 'string') {
      return {
        taskId: value.taskId,
        guildId: value.guildId,
        userId: value.userId,
        units: typeof value.units === 'number' ? value.units : 0,
        ...(value.caller === undefined ? {} : { caller: value.caller }),
      };
    }
  } catch {
    // not one of ours
  }
  return undefined;
}
