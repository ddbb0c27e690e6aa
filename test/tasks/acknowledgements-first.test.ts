import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatInputCommandInteraction } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext, SlashCommand } from '../../src/discord/command.ts';
import { InteractionRouter } from '../../src/discord/interaction-router.ts';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { AcknowledgementsFirst } from '../../src/tasks/acknowledgements-first.ts';
import type { Delivery, ReplyPort } from '../../src/tasks/reply-port.ts';
import { TaskStore } from '../../src/tasks/task-store.ts';
import { PICTURE_CHECKS_AT_ONCE, TaskTracker, type NewTask, type QuotaGate, type VideoApi } from '../../src/tasks/task-tracker.ts';
import type { SubmitRequest, TaskResult } from '../../src/video-api/video-api-client.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { makeTaskRecord } from '../support/task-fixtures.ts';

/** Lets every callback already due run: promise jobs, I/O, timers at 0 and immediates, several times over. */
async function turns(count = 20): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('acknowledgements first', () => {
  it('lets a task through at once when nothing waits to be answered', async () => {
    const gate = new AcknowledgementsFirst({ maxHoldMs: 60_000 });
    let through = false;
    void gate.clear().then(() => (through = true));
    await turns(1);
    expect(through).toBe(true);
  });

  it('holds tasks while an interaction waits to be answered, and lets them through once none does', async () => {
    const gate = new AcknowledgementsFirst({ maxHoldMs: 60_000 });
    const first = gate.arrived('1');
    const second = gate.arrived('2');
    let through = false;
    void gate.clear().then(() => (through = true));

    first();
    // Answering the same interaction twice does not count as answering another.
    first();
    await turns();
    expect(gate.pending).toBe(1);
    expect(through).toBe(false);

    second();
    await turns();
    expect(gate.pending).toBe(0);
    expect(through).toBe(true);
  });

  it('counts an interaction as answered once its deferral is sent, before its handler is done', async () => {
    const gate = new AcknowledgementsFirst({ maxHoldMs: 60_000 });
    const handled = gate.arrived('1');
    let through = false;
    void gate.clear().then(() => (through = true));

    gate.answered('1');
    await turns();
    expect(through).toBe(true);
    // The handler finishing afterwards counts nothing twice.
    handled();
    gate.arrived('2');
    expect(gate.pending).toBe(1);
  });

  it('does not hold a task longer than its bound while acknowledgements keep coming', async () => {
    const gate = new AcknowledgementsFirst({ maxHoldMs: 20 });
    gate.arrived('1');
    await gate.clear();
    // Let through with the interaction still unanswered: a steady stream cannot starve the tasks.
    expect(gate.pending).toBe(1);
  });
});

class CountingVideoApi implements VideoApi {
  readonly submissions: SubmitRequest[] = [];

  async submit(request: SubmitRequest): Promise<{ taskId: string }> {
    this.submissions.push(request);
    return { taskId: `provider-${String(this.submissions.length)}` };
  }

  async getResult(): Promise<TaskResult> {
    return { status: 'processing', rawStatus: 'TASK_STATUS_PROCESSING' };
  }
}

const openQuota: QuotaGate = {
  tryStart: async () => true,
  settle: async () => true,
  pauseSubmissions: async () => false,
  pausedUntil: async () => undefined,
};

const quietReplies: ReplyPort = {
  showProgress: async () => undefined,
  deliver: async (): Promise<Delivery> => ({ outcome: 'delivered' }),
};

describe('task tracker, acknowledgements first', () => {
  let dir: string;
  let sqlite: SqliteStore;
  let store: TaskStore;
  let api: CountingVideoApi;
  let downloads: number;
  let tracker: TaskTracker | undefined;

  const request: NewTask = (({ requester, interaction, options, image }) => ({ requester, interaction, options, image }))(makeTaskRecord());

  function newTracker(acknowledgements: AcknowledgementsFirst): TaskTracker {
    tracker = new TaskTracker({
      store,
      videoApi: api,
      quota: openQuota,
      replies: quietReplies,
      logger: silentLogger,
      clock: new ManualClock(1_000),
      pollIntervalMs: 1_000,
      downloadImage: async () => {
        downloads++;
        return Buffer.from('picture');
      },
      checkImage: (bytes) => ({ format: 'png', width: 512, height: 512, bytes, base64: bytes.toString('base64'), mimeType: 'image/png' }),
      downloadVideo: async () => ({ kind: 'file', file: { path: join(dir, 'v.mp4'), sizeBytes: 1 } }),
      acknowledgements,
    });
    return tracker;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'animate-ack-first-'));
    sqlite = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    store = new TaskStore(sqlite, silentLogger);
    api = new CountingVideoApi();
    downloads = 0;
  });

  afterEach(async () => {
    await tracker?.stop();
    tracker = undefined;
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records an accepted task at once but starts its first step only once no acknowledgement is pending', async () => {
    const gate = new AcknowledgementsFirst({ maxHoldMs: 60_000 });
    const tasks = newTracker(gate);
    const answered = gate.arrived('1');

    await tasks.accept('task-0001', request);
    await turns();
    // Recorded (a restart would resume it), but not started: the other member's deferral goes first.
    expect((await store.get('task-0001'))?.state).toBe('received');
    expect(downloads).toBe(0);

    answered();
    await tasks.idle();
    expect(downloads).toBe(1);
    expect(api.submissions).toHaveLength(1);
  });

  it('starts a held task after its bound even while acknowledgements are still pending', async () => {
    const gate = new AcknowledgementsFirst({ maxHoldMs: 20 });
    const tasks = newTracker(gate);
    gate.arrived('1');

    await tasks.accept('task-0001', request);
    await tasks.idle();
    expect(gate.pending).toBe(1);
    expect(api.submissions).toHaveLength(1);
  });
});

describe('task tracker, pictures of a burst', () => {
  it('downloads and prepares only a few pictures at once, and every task gets its turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'animate-picture-checks-'));
    const sqlite = SqliteStore.open(`sqlite://${join(dir, 'a.sqlite')}`);
    const api = new CountingVideoApi();
    let open = 0;
    let mostOpen = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tracker = new TaskTracker({
      store: new TaskStore(sqlite, silentLogger),
      videoApi: api,
      quota: openQuota,
      replies: quietReplies,
      logger: silentLogger,
      clock: new ManualClock(1_000),
      pollIntervalMs: 1_000,
      downloadImage: async () => {
        open++;
        mostOpen = Math.max(mostOpen, open);
        await held;
        return Buffer.from('picture');
      },
      checkImage: (bytes) => {
        open--;
        return { format: 'png', width: 512, height: 512, bytes, base64: bytes.toString('base64'), mimeType: 'image/png' };
      },
      downloadVideo: async () => ({ kind: 'file', file: { path: join(dir, 'v.mp4'), sizeBytes: 1 } }),
    });
    try {
      const base = makeTaskRecord();
      for (let i = 0; i < 12; i++) {
        await tracker.accept(`task-${String(i)}`, {
          requester: { ...base.requester, userId: String(1000 + i) },
          interaction: base.interaction,
          options: base.options,
          image: base.image,
        });
      }
      await turns();
      expect(open).toBe(PICTURE_CHECKS_AT_ONCE);
      release();
      await tracker.idle();
      expect(mostOpen).toBe(PICTURE_CHECKS_AT_ONCE);
      expect(api.submissions).toHaveLength(12);
    } finally {
      await tracker.stop();
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('interaction router, acknowledgements first', () => {
  it('counts an interaction as waiting to be answered from its arrival until its handler is done', async () => {
    const gate = new AcknowledgementsFirst({ maxHoldMs: 60_000 });
    let finish: () => void = () => undefined;
    const command: SlashCommand = {
      data: { name: 'animate', toJSON: () => ({ name: 'animate', description: 'animate' }) },
      execute: () => new Promise<void>((resolve) => (finish = resolve)),
    };
    const router = new InteractionRouter([command], [], { logger: silentLogger } as unknown as CommandContext, {
      acknowledgements: gate,
    });
    const interaction = {
      id: '42',
      guildId: '1',
      commandName: 'animate',
      isButton: () => false,
      isModalSubmit: () => false,
      isMessageContextMenuCommand: () => false,
      isChatInputCommand: () => true,
    } as unknown as ChatInputCommandInteraction;

    const handling = router.handle(interaction);
    expect(gate.pending).toBe(1);
    finish();
    await handling;
    await turns(1);
    expect(gate.pending).toBe(0);
  });
});
