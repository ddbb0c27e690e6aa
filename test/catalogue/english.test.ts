/**
 * The English words members and moderators already know stay the same now that outcomes are data: each
 * failure kind as the bot said it before, the reply around it, and the short answers.
 */
import { describe, expect, it } from 'vitest';
import { renderFailure } from '../../src/catalogue/render-failure.ts';
import {
  cancelAnswer,
  cancelButtonLabel,
  directDeliveryText,
  genericApology,
  lateDeliveryText,
  replyText,
} from '../../src/catalogue/render-reply.ts';
import type { TaskFailure } from '../../src/outcomes.ts';
import { FAILURE_KINDS } from './largest-outcomes.ts';

const said: [TaskFailure, string][] = [
  [
    { kind: 'picture_not_an_image' },
    "That file isn't a picture the bot can read. Please attach a photo (JPEG, PNG, WebP, AVIF, GIF or TIFF).",
  ],
  [
    { kind: 'picture_heic' },
    "HEIC photos can't be read. Please send it as JPEG: share it from Photos, or set Camera → Formats → Most Compatible.",
  ],
  [{ kind: 'picture_gif' }, "GIFs (animated or not) can't be used; please attach a .png or .jpg image."],
  [{ kind: 'picture_webp' }, "WebP pictures can't be used; please attach a .png or .jpg image."],
  [
    { kind: 'picture_damaged', format: 'JPEG' },
    'That JPEG picture seems damaged or incomplete; please save it again or attach another one.',
  ],
  [
    { kind: 'picture_too_small', width: 200, height: 200, minWidth: 300, minHeight: 300 },
    'That picture is 200x200; it needs to be at least 300x300 pixels.',
  ],
  [
    { kind: 'picture_too_many_pixels', maxPixels: 40_000_000 },
    'That picture is too large (over 40 megapixels); please attach a smaller one.',
  ],
  [{ kind: 'picture_too_large', maxBytes: 10_000_000 }, 'That picture is larger than 10 MB; please attach a smaller one.'],
  [{ kind: 'picture_unusable' }, "That picture can't be used: please attach a PNG or JPEG of at least 300x300, up to 10 MB."],
  [{ kind: 'picture_unavailable' }, "Couldn't download your picture from Discord. Please try again."],
  [
    { kind: 'picture_not_on_discord' },
    'The bot only fetches pictures uploaded to Discord, and this one points somewhere else. Please attach the image file itself.',
  ],
  [{ kind: 'provider_rejected' }, 'The provider rejected this picture or prompt.'],
  [{ kind: 'provider_rejected', reason: 'prompt too long' }, 'The provider rejected this picture or prompt: prompt too long'],
  [{ kind: 'generation_failed' }, 'The video service could not make this video: no reason given.'],
  [
    { kind: 'generation_failed', reason: 'The image violates the content policy' },
    'The video service could not make this video: The image violates the content policy',
  ],
  [{ kind: 'generation_timed_out' }, 'The video service took too long to make this video. Please try /animate again later.'],
  [{ kind: 'video_lost' }, 'The video was made, but the bot could not fetch it from the video service. Please try /animate again.'],
  [{ kind: 'provider_misconfigured' }, "The video service is misconfigured on the bot's side. An admin has been alerted."],
  [{ kind: 'provider_out_of_credit' }, 'Video generation is unavailable right now. Please try again later.'],
  [{ kind: 'provider_unavailable' }, 'The video service is not answering right now. Please try /animate again in a few minutes.'],
  [
    { kind: 'submit_unknown' },
    "We lost contact with the video service while sending your picture, so we can't tell whether it started. To avoid charging you twice it wasn't sent again. Please try /animate again in a minute.",
  ],
  [{ kind: 'cancelled' }, 'Cancelled before it started.'],
  [{ kind: 'internal', ref: 'ab12cd34' }, 'Something went wrong on our side (ref ab12cd34). Please try /animate again.'],
];

describe('failures, in the words members know', () => {
  it.each(said)('%o', (failure, text) => {
    expect(renderFailure(failure, 'en-US')).toBe(text);
  });

  it('covers every kind', () => {
    expect(new Set(said.map(([failure]) => failure.kind))).toEqual(new Set(FAILURE_KINDS));
  });

  it('tells a member whose Discord speaks a language the bot does not in English', () => {
    expect(renderFailure({ kind: 'cancelled' }, 'ko')).toBe('Cancelled before it started.');
  });
});

describe('the reply', () => {
  it('adds the refund and quotes the prompt beneath a failure', () => {
    expect(replyText({ kind: 'failed', failure: { kind: 'cancelled' }, refundedUnits: 1 }, 'waves', 'en-US')).toBe(
      '❌ Cancelled before it started. Your 1 unit was refunded.\n> waves',
    );
    expect(replyText({ kind: 'failed', failure: { kind: 'video_lost' }, refundedUnits: 2 }, 'waves', 'en-US')).toMatch(
      /Please try \/animate again\. Your 2 units were refunded\.\n> waves$/,
    );
    expect(replyText({ kind: 'failed', failure: { kind: 'video_lost' }, refundedUnits: 0 }, 'waves', 'en-US')).not.toContain('refunded');
  });

  it('answers a refused picture alone, without the prompt', () => {
    expect(
      replyText(
        {
          kind: 'image_refused',
          failure: { kind: 'picture_too_small', width: 200, height: 200, minWidth: 300, minHeight: 300 },
          refundedUnits: 1,
        },
        'waves',
        'en-US',
      ),
    ).toBe('❌ That picture is 200x200; it needs to be at least 300x300 pixels. Your 1 unit was refunded.');
  });

  it('says which place in line a waiting generation has', () => {
    expect(replyText({ kind: 'waiting_turn', position: 2, paused: false }, 'waves', 'en-US')).toBe(
      '⏳ Waiting for your previous video to finish (2nd in line). Your units are held for it.\n> waves',
    );
  });

  it('mentions the member ahead of a late delivery', () => {
    expect(lateDeliveryText('🎬 Here is your video!', '123', 'en-US')).toBe('<@123> 🎬 Here is your video!');
  });

  it('says where the member asked when the answer comes as a direct message', () => {
    expect(directDeliveryText('🎬 Here is your video!', '456', 'en-US')).toBe(
      "🎬 Here is your video!\n-# Sent here because the bot can't post in <#456>.",
    );
  });

  it('says the short answers as before', () => {
    expect(genericApology('ab12cd34', 'en-US')).toBe('❌ Something went wrong on our side (ref ab12cd34). Please try again in a moment.');
    expect(cancelButtonLabel('en-US')).toBe('Cancel');
    expect(cancelAnswer('cancelled', 'en-US')).toBeUndefined();
    expect(cancelAnswer('not_allowed', 'en-US')).toBe('Only the member who asked (or a moderator) can cancel this generation.');
  });
});
