/**
 * Where the bot may download from: the URL rules for pictures and videos, and which addresses count as
 * public. The downloads themselves are tested in test/images/download-image.test.ts and
 * test/video-api/download-video.test.ts.
 */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  checkPictureUrl,
  checkVideoUrl,
  DownloadRefused,
  isPublicAddress,
  mayFetchPicture,
  publicAddressLookup,
  SAFE_DOWNLOADS,
  type DownloadPolicy,
} from '../src/download-policy.ts';

const STAND_IN: DownloadPolicy = { attachmentHosts: ['127.0.0.1'], allowInsecure: true };

describe('picture URLs', () => {
  it("by default accept only https from Discord's two attachment hosts", () => {
    expect(checkPictureUrl('https://cdn.discordapp.com/attachments/1/2/cat.png?ex=1', SAFE_DOWNLOADS).hostname).toBe('cdn.discordapp.com');
    expect(checkPictureUrl('https://MEDIA.discordapp.net/attachments/1/2/cat.png', SAFE_DOWNLOADS).hostname).toBe('media.discordapp.net');
    for (const url of [
      'http://cdn.discordapp.com/attachments/1/2/cat.png',
      'https://cdn.discordapp.com.evil.example/cat.png',
      'https://evil.example/cdn.discordapp.com/cat.png',
      'https://127.0.0.1/cat.png',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(() => checkPictureUrl(url, SAFE_DOWNLOADS), url).toThrow(DownloadRefused);
    }
  });

  it('with the test settings accept http from the stand-in host, and still no other host', () => {
    expect(checkPictureUrl('http://127.0.0.1:8080/p.png', STAND_IN).port).toBe('8080');
    expect(() => checkPictureUrl('http://localhost:8080/p.png', STAND_IN)).toThrow(DownloadRefused);
    expect(() => checkPictureUrl('ftp://127.0.0.1/p.png', STAND_IN)).toThrow(DownloadRefused);
  });
});

describe('video URLs', () => {
  it('by default accept https only; the address is checked on connecting', () => {
    expect(checkVideoUrl('https://cdn.provider.example/v.mp4?X-Amz-Expires=3600', SAFE_DOWNLOADS).protocol).toBe('https:');
    expect(() => checkVideoUrl('http://cdn.provider.example/v.mp4', SAFE_DOWNLOADS)).toThrow(DownloadRefused);
    expect(() => checkVideoUrl('file:///etc/passwd', SAFE_DOWNLOADS)).toThrow(DownloadRefused);
    expect(checkVideoUrl('http://127.0.0.1:9000/v.mp4', STAND_IN).protocol).toBe('http:');
  });
});

describe('public addresses', () => {
  const notPublic = [
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1', // carrier-grade NAT
    '192.0.2.10', // documentation
    '198.18.0.1', // benchmarking
    '224.0.0.1', // multicast
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1', // unique local
    'fec0::1',
    'ff02::1',
    '2001:db8::1', // documentation
    '::ffff:127.0.0.1', // IPv4-mapped
    '::ffff:a9fe:a9fe', // 169.254.169.254, mapped
    '64:ff9b::10.0.0.1', // NAT64 of a private address
    '2002:7f00:1::1', // 6to4 of 127.0.0.1
    'localhost',
    'not an address',
  ];
  it.each(notPublic)('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  const publicOnes = ['8.8.8.8', '1.1.1.1', '162.159.128.233', '172.32.0.1', '2606:4700::6810:85e5', '64:ff9b::8.8.8.8', '::ffff:8.8.8.8'];
  it.each(publicOnes)('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('the lookup a download connects with', () => {
  interface Answer {
    error: Error | null;
    addresses: LookupAddress[];
  }
  function lookupOf(answers: LookupAddress[][]) {
    let calls = 0;
    const lookup = publicAddressLookup((_hostname, _options, callback) => {
      callback(null, answers[Math.min(calls++, answers.length - 1)] ?? []);
    });
    const ask = (options: { all?: boolean; family?: number } = { all: true }) =>
      new Promise<Answer>((resolve) => {
        lookup('video.example', options, (error, addresses) => {
          resolve({ error, addresses: Array.isArray(addresses) ? addresses : [{ address: addresses, family: 4 }] });
        });
      });
    return { ask, calls: () => calls };
  }

  it('hands the socket only the public addresses of an answer', async () => {
    const { ask } = lookupOf([
      [
        { address: '10.0.0.7', family: 4 },
        { address: '93.184.215.14', family: 4 },
        { address: '::1', family: 6 },
      ],
    ]);
    expect(await ask()).toEqual({ error: null, addresses: [{ address: '93.184.215.14', family: 4 }] });
    expect(await ask({ family: 4 })).toEqual({ error: null, addresses: [{ address: '93.184.215.14', family: 4 }] });
  });

  it('refuses an answer with no public address (cloud metadata, loopback, private, mapped)', async () => {
    const { ask } = lookupOf([
      [
        { address: '169.254.169.254', family: 4 },
        { address: '::ffff:127.0.0.1', family: 6 },
        { address: 'fd00::1', family: 6 },
      ],
    ]);
    const { error } = await ask();
    expect(error).toBeInstanceOf(DownloadRefused);
  });

  it('checks every answer it hands out: a name that later resolves to a private address is refused then', async () => {
    // DNS rebinding: public for the first connection, loopback for the next. Each connection resolves once,
    // here, and connects to exactly what was checked.
    const { ask, calls } = lookupOf([[{ address: '93.184.215.14', family: 4 }], [{ address: '127.0.0.1', family: 4 }]]);
    expect((await ask()).error).toBeNull();
    expect((await ask()).error).toBeInstanceOf(DownloadRefused);
    expect(calls()).toBe(2);
  });
});

describe('mayFetchPicture', () => {
  it("says yes for Discord's attachment hosts and no for anything else, a link proxy or not a URL at all", () => {
    expect(mayFetchPicture('https://cdn.discordapp.com/attachments/1/2/a.png', SAFE_DOWNLOADS)).toBe(true);
    expect(mayFetchPicture('https://media.discordapp.net/external/x/a.png', SAFE_DOWNLOADS)).toBe(true);
    expect(mayFetchPicture('https://images-ext-1.discordapp.net/external/x/a.png', SAFE_DOWNLOADS)).toBe(false);
    expect(mayFetchPicture('http://cdn.discordapp.com/attachments/1/2/a.png', SAFE_DOWNLOADS)).toBe(false);
    expect(mayFetchPicture('not a url', SAFE_DOWNLOADS)).toBe(false);
  });
});
