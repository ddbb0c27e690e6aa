import { describe, expect, it } from 'vitest';
import { taskRecordSchema } from '../../src/tasks/task-record.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

/** A record as version 1 of the bot stored it: words in the failure, no locale. */
function versionOne(fields: Record<string, unknown>): Record<string, unknown> {
  const { locale: _locale, ...v2 } = makeTaskRecord({ id: 'abcdef12-0000' });
  return { ...v2, version: 1, ...fields };
}

describe('task record versions', () => {
  it('reads a version-2 record as it was written', () => {
    const record = makeTaskRecord({
      state: 'failing',
      failure: { kind: 'generation_failed', reason: 'nsfw' },
      refundedUnits: 1,
      locale: 'ja',
    });
    expect(taskRecordSchema.parse(record)).toEqual(record);
  });

  it('migrates an open version-1 record, in English', () => {
    expect(taskRecordSchema.parse(versionOne({ state: 'queued', provider: { taskId: 'p', submittedAt: 5 } }))).toMatchObject({
      version: 2,
      state: 'queued',
      locale: 'en-US',
      provider: { taskId: 'p' },
    });
  });

  it('turns a version-1 failure not yet told into a failing record with the outcome as data', () => {
    const v1 = versionOne({
      state: 'processing',
      failure: { kind: 'provider_rejected', message: 'The video service could not make this video: prohibited content', refundedUnits: 1 },
    });
    expect(taskRecordSchema.parse(v1)).toMatchObject({
      state: 'failing',
      failure: { kind: 'generation_failed', reason: 'prohibited content' },
      refundedUnits: 1,
    });
  });

  it('maps every version-1 failure kind', () => {
    const cases: [string, string, unknown][] = [
      ['invalid_image', 'That picture is 200x200', { kind: 'picture_unusable' }],
      ['image_unavailable', "Couldn't download", { kind: 'picture_unavailable' }],
      ['provider_rejected', 'The provider rejected this picture or prompt: too long', { kind: 'provider_rejected', reason: 'too long' }],
      ['generation_failed', 'The video service took too long to make this video.', { kind: 'generation_timed_out' }],
      ['generation_failed', 'The video was made, but the bot could not fetch it', { kind: 'video_lost' }],
      ['provider_unavailable', 'not answering', { kind: 'provider_unavailable' }],
      ['cancelled', 'Cancelled before it started.', { kind: 'cancelled' }],
      ['internal', 'Something went wrong on our side (ref abcdef12).', { kind: 'internal', ref: 'abcdef12' }],
    ];
    for (const [kind, message, failure] of cases) {
      expect(taskRecordSchema.parse(versionOne({ state: 'failed', failure: { kind, message } }))).toMatchObject({
        state: 'failed',
        failure,
      });
    }
  });

  it('a version-1 "submit_unknown" task is told and refunded, never submitted again', () => {
    expect(taskRecordSchema.parse(versionOne({ state: 'submit_unknown' }))).toMatchObject({
      state: 'failing',
      failure: { kind: 'submit_unknown' },
      refundedUnits: 1,
    });
  });

  it('refuses a failed record without its failure, and a version it does not know', () => {
    expect(taskRecordSchema.safeParse({ ...makeTaskRecord(), state: 'failed' }).success).toBe(false);
    expect(taskRecordSchema.safeParse({ ...makeTaskRecord(), version: 3 }).success).toBe(false);
  });
});
