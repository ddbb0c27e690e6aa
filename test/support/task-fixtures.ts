import type { TaskRecord } from '../../src/tasks/task-record.ts';

/**
 * A valid task record for store and tracker tests; override what the test is about (a failed state with its
 * `failure` and `refundedUnits`: the record is a union by state, which a spread of overrides cannot check).
 */
export function makeTaskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    version: 2,
    id: 'task-0001',
    state: 'received',
    locale: 'en-US',
    requester: { userId: '200000000000000001', guildId: '300000000000000001', channelId: '400000000000000001' },
    interaction: {
      id: '500000000000000001',
      applicationId: '600000000000000001',
      token: 'interaction-token-for-tests-0001',
      createdAt: 1_000,
      attachmentSizeLimit: 10 * 1024 * 1024,
    },
    options: { prompt: 'the waves roll in', duration: '5', cfgScale: 0.5 },
    image: { url: 'http://127.0.0.1:1/attachments/photo.png', filename: 'photo.png', reportedSize: 1234 },
    retries: 0,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  } as TaskRecord;
}
