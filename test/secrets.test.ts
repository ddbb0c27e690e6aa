import { describe, expect, it } from 'vitest';
import { redactUrl, scrubText, urlSecrets } from '../src/secrets.ts';

const INTERACTION_TOKEN = Buffer.from(`interaction:1318877061418188871:${'Xk3-_q'.repeat(20)}`).toString('base64url');
const BOT_TOKEN = `${Buffer.from('1086478963456673800').toString('base64url')}.GhXk2b.${'a1B2c3D4e5'.repeat(4).slice(0, 38)}`;

describe('scrubText', () => {
  describe('hides the Redis password of a store URL', () => {
    const cases = [
      { text: 'redis://user:p@ss@db:6379', want: 'redis://user:[redacted]@db:6379' },
      { text: 'redis://user:p@ss@db:6379/0', want: 'redis://user:[redacted]@db:6379/0' },
      { text: 'rediss://default:s3cr3t@cache.example.com:6380', want: 'rediss://default:[redacted]@cache.example.com:6380' },
      { text: 'redis://:only-a-password@db', want: 'redis://:[redacted]@db' },
      // Redis clients read a userinfo without `:` as the password.
      { text: 'redis://bare-secret@db:6379', want: 'redis://[redacted]@db:6379' },
      { text: 'REDIS://user:p%40ss@db', want: 'REDIS://user:[redacted]@db' },
      {
        text: 'could not connect to redis://bot:p@ss@w0rd@10.0.0.5:6379 (ECONNREFUSED)',
        want: 'could not connect to redis://bot:[redacted]@10.0.0.5:6379 (ECONNREFUSED)',
      },
      // What the old regex made of it, which still leaked the end of the password.
      { text: 'storeUrl=redis://[redacted]@ss@db', want: 'storeUrl=redis://[redacted]@db' },
      { text: '{"input":"redis://bot:p@ss@127.0.0.1:99999"}', want: '{"input":"redis://bot:[redacted]@127.0.0.1:99999"}' },
      // Not percent-encoded as it should be: still hidden whole, not cut at the `/` or `#`.
      { text: 'redis://user:pa/ss#1@db:6379', want: 'redis://user:[redacted]@db:6379' },
      { text: 'redis://db:6379/0', want: 'redis://db:6379/0' },
    ];
    for (const c of cases) {
      it(c.text, () => expect(scrubText(c.text)).toBe(c.want));
    }
  });

  it('hides credentials in any other URL, up to the last @ before the path', () => {
    expect(scrubText('postgres://app:hunter2@pg:5432/animate')).toBe('postgres://app:[redacted]@pg:5432/animate');
    expect(scrubText('https://ghp_abcdef123456@github.com/o/r.git')).toBe('https://[redacted]@github.com/o/r.git');
    expect(scrubText('https://u:a@b@host/path/@original')).toBe('https://u:[redacted]@host/path/@original');
  });

  it('hides interaction tokens inside webhook and interaction URLs, keeping the rest of the URL', () => {
    expect(scrubText(`PATCH https://discord.com/api/v10/webhooks/1318877061418188800/${INTERACTION_TOKEN}/messages/@original`)).toBe(
      'PATCH https://discord.com/api/v10/webhooks/1318877061418188800/[redacted]/messages/@original',
    );
    expect(scrubText(`POST /interactions/1318877061418188871/${INTERACTION_TOKEN}/callback?with_response=true`)).toBe(
      'POST /interactions/1318877061418188871/[redacted]/callback?with_response=true',
    );
    // A channel webhook's token has no recognisable prefix: the path gives it away.
    expect(scrubText('/webhooks/123456789012345678/Zm9vYmFyYmF6cXV4-_abc')).toBe('/webhooks/123456789012345678/[redacted]');
  });

  it('hides an interaction token on its own', () => {
    expect(scrubText(`token ${INTERACTION_TOKEN} expired`)).toBe('token [redacted] expired');
  });

  it('hides a Discord bot token by its shape, even one it was not told about', () => {
    expect(scrubText(`Authorization: Bot ${BOT_TOKEN}`)).toBe('Authorization: Bot [redacted]');
  });

  describe('hides the signature of a signed URL and keeps its expiry', () => {
    const cases = [
      {
        text: 'https://bucket.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=0123abcd',
        want: 'https://bucket.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[redacted]&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=[redacted]',
      },
      {
        text: 'https://d111.cloudfront.net/v.mp4?Expires=1767225600&Signature=abc~def_&Key-Pair-Id=K2JCJMDEHXQW5F',
        want: 'https://d111.cloudfront.net/v.mp4?Expires=1767225600&Signature=[redacted]&Key-Pair-Id=K2JCJMDEHXQW5F',
      },
      {
        text: 'https://cdn.discordapp.com/attachments/1/2/p.png?ex=6790a1b2&is=678f5032&hm=9f86d081884c7d659a2feaa0c55ad015&',
        want: 'https://cdn.discordapp.com/attachments/1/2/p.png?ex=6790a1b2&is=678f5032&hm=[redacted]&',
      },
      {
        text: 'https://x.blob.core.windows.net/v.mp4?se=2026-01-01&sp=r&sig=abc%2Bdef',
        want: 'https://x.blob.core.windows.net/v.mp4?se=2026-01-01&sp=r&sig=[redacted]',
      },
      { text: 'https://v.example/v.mp4?signature=abc&token=def', want: 'https://v.example/v.mp4?signature=[redacted]&token=[redacted]' },
    ];
    for (const c of cases) {
      it(new URL(c.text).host, () => expect(scrubText(c.text)).toBe(c.want));
    }
  });

  it('hides the exact secrets it is given, as written, percent-encoded and JSON-escaped', () => {
    const secret = 'k3y/with"quote';
    expect(scrubText(`a ${secret} b`, [secret])).toBe('a [redacted] b');
    expect(scrubText(`?q=${encodeURIComponent(secret)}`, [secret])).toBe('?q=[redacted]');
    expect(scrubText(JSON.stringify({ v: secret }), [secret])).toBe('{"v":"[redacted]"}');
  });

  it('ignores exact secrets too short to search for, and leaves ordinary text alone', () => {
    expect(scrubText('the theme', ['the'])).toBe('the theme');
    const plain = 'task delivered to member@example.com; see https://discord.com/developers/docs/interactions/receiving-and-responding';
    expect(scrubText(plain)).toBe(plain);
  });
});

describe('redactUrl', () => {
  it('is what a store URL looks like in a log line', () => {
    expect(redactUrl('redis://user:p@ss@db:6379')).toBe('redis://user:[redacted]@db:6379');
    expect(redactUrl('sqlite://data/animate.sqlite')).toBe('sqlite://data/animate.sqlite');
  });
});

describe('urlSecrets', () => {
  it('finds the password of a store URL, parsed by the last @, as written and decoded', () => {
    expect(urlSecrets('redis://user:p@ss@db:6379')).toEqual(['p@ss']);
    expect(urlSecrets('rediss://user:p%40ss%2Fx@db:6379/0')).toEqual(['p%40ss%2Fx', 'p@ss/x']);
    expect(urlSecrets('redis://only-password@db')).toEqual(['only-password']);
    expect(urlSecrets('redis://db:6379')).toEqual([]);
    expect(urlSecrets('redis://user:@db:6379')).toEqual([]);
    expect(urlSecrets('sqlite://data/animate.sqlite')).toEqual([]);
  });
});
