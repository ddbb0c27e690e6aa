import { describe, expect, it } from 'vitest';
import { callbackInteractionId } from '../../src/discord/answered-interactions.ts';

describe('callbackInteractionId', () => {
  it("is the interaction's id on its callback route, and nothing on any other route", () => {
    expect(callbackInteractionId('/interactions/1187203491855130999/aW50ZXJhY3Rpb246MTE4/callback')).toBe('1187203491855130999');
    expect(callbackInteractionId('/webhooks/1187203491855130000/aW50ZXJhY3Rpb246MTE4/messages/@original')).toBeUndefined();
    expect(callbackInteractionId('/interactions/1187203491855130999/aW50ZXJhY3Rpb246MTE4/callback/extra')).toBeUndefined();
    expect(callbackInteractionId('/channels/1187203492404584458/messages')).toBeUndefined();
  });
});
