/** The two download settings: where pictures may come from, and whether tests may download insecurely. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { REQUIRED_ENV as required, problemsOf } from './support/config-env.ts';

describe('download settings', () => {
  it("default to the safe ones: Discord's two attachment hosts, and no insecure downloads", () => {
    const config = loadConfig(required);
    expect(config.attachmentHosts).toEqual(['cdn.discordapp.com', 'media.discordapp.net']);
    expect(config.allowInsecureDownloads).toBe(false);
    expect(Object.isFrozen(config.attachmentHosts)).toBe(true);
    expect(loadConfig({ ...required, ATTACHMENT_HOSTS: ' ', ALLOW_INSECURE_DOWNLOADS: '' })).toMatchObject({
      attachmentHosts: ['cdn.discordapp.com', 'media.discordapp.net'],
      allowInsecureDownloads: false,
    });
  });

  it('read ATTACHMENT_HOSTS as host names separated by commas, in any case', () => {
    expect(loadConfig({ ...required, ATTACHMENT_HOSTS: '127.0.0.1' }).attachmentHosts).toEqual(['127.0.0.1']);
    expect(loadConfig({ ...required, ATTACHMENT_HOSTS: 'CDN.discordapp.com , media.discordapp.net,localhost' }).attachmentHosts).toEqual([
      'cdn.discordapp.com',
      'media.discordapp.net',
      'localhost',
    ]);
  });

  it('refuse a host with a scheme, a port or a path, naming the variable', () => {
    for (const value of [
      'https://cdn.discordapp.com',
      'cdn.discordapp.com:443',
      'cdn.discordapp.com/attachments',
      'a..b',
      'cdn.discordapp.com,',
    ]) {
      expect(problemsOf({ ...required, ATTACHMENT_HOSTS: value }), value).toEqual([
        'ATTACHMENT_HOSTS must be host names separated by commas, without scheme or port',
      ]);
    }
  });

  it('read ALLOW_INSECURE_DOWNLOADS as true or false, in any case, and nothing else', () => {
    expect(loadConfig({ ...required, ALLOW_INSECURE_DOWNLOADS: 'true' }).allowInsecureDownloads).toBe(true);
    expect(loadConfig({ ...required, ALLOW_INSECURE_DOWNLOADS: 'TRUE' }).allowInsecureDownloads).toBe(true);
    expect(loadConfig({ ...required, ALLOW_INSECURE_DOWNLOADS: 'False' }).allowInsecureDownloads).toBe(false);
    expect(problemsOf({ ...required, ALLOW_INSECURE_DOWNLOADS: 'yes' })).toEqual(['ALLOW_INSECURE_DOWNLOADS must be true or false']);
  });
});
