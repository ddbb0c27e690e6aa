import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

describe('logger', () => {
  it('never writes a secret, wherever it appears', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', secrets: ['bot-token-123456', 'api-key-abcdef'], write: (l) => lines.push(l) });
    logger.error('request failed with bot-token-123456', {
      error: new Error('bad key api-key-abcdef'),
      headers: { authorization: 'Bearer api-key-abcdef' },
      interactionToken: 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5',
      url: 'http://127.0.0.1/api/v10/webhooks/123456/aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZmdo/messages/@original',
    });
    const out = lines.join('\n');
    expect(out).not.toContain('bot-token-123456');
    expect(out).not.toContain('api-key-abcdef');
    expect(out).not.toContain('aW50ZXJhY3Rpb246MTIzNDU2Nzg5');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'error', interactionToken: '[redacted]' });
  });

  it('drops lines below its level and keeps child fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) }).child({ taskId: 't1' });
    logger.info('hidden');
    logger.warn('shown', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'shown', taskId: 't1', n: 1 });
  });
});
