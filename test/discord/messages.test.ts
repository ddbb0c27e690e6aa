import { describe, expect, it } from 'vitest';
import { promptPreview, replyText } from '../../src/catalogue/render-reply.ts';

describe('message texts', () => {
  it('shows a 2500-character prompt short enough for one message', () => {
    const prompt = 'a cat dances under the moon '.repeat(100).slice(0, 2500);
    const text = replyText({ kind: 'video', video: { path: '/tmp/a.mp4', sizeBytes: 0 }, filename: 'a.mp4' }, prompt, 'en-US');
    expect(text.length).toBeLessThan(400);
    expect(text).toContain('…');
  });

  it('escapes markdown and defuses mention syntax', () => {
    const preview = promptPreview('**bold** @everyone <@123> <@&456> @here');
    expect(preview).toContain('\\*\\*bold\\*\\*');
    expect(preview).not.toMatch(/@everyone|@here|<@\d|<@&/);
  });

  it('gives the video link and when it expires when the file is over the upload limit', () => {
    const text = replyText(
      {
        kind: 'video_link',
        url: 'https://cdn.example/v.mp4',
        expiresAt: 1_700_000_000_000,
        sizeBytes: 15 * 1024 * 1024,
        limitBytes: 10 * 1024 * 1024,
      },
      'waves',
      'en-US',
    );
    expect(text).toContain('15.0 MB');
    expect(text).toContain('10.0 MB upload limit');
    expect(text).toContain('<t:1700000000:R>');
    expect(text).toContain('https://cdn.example/v.mp4');
  });

  it('shows progress and a relative ETA while generating', () => {
    expect(replyText({ kind: 'generating', progressPercent: 42.7, etaAt: 1_700_000_060_000 }, 'waves', 'en-US')).toMatch(
      /42% ready <t:1700000060:R>/,
    );
  });
});
