import { describe, expect, it } from 'vitest';
import { firstPicture, type MessageAttachmentView } from '../../src/discord/message-picture.ts';

const attachment = (
  name: string,
  contentType: string | null,
  url = `https://cdn.discordapp.com/attachments/1/2/${name}`,
): MessageAttachmentView => ({
  url,
  name,
  size: 1234,
  contentType,
});

describe('the first picture of a message', () => {
  it('is its first attachment that is an image, skipping other files', () => {
    const message = {
      attachments: [attachment('notes.txt', 'text/plain'), attachment('IMG_1.webp', 'image/webp'), attachment('IMG_2.jpg', 'image/jpeg')],
      embeds: [],
    };
    expect(firstPicture(message)).toEqual({
      url: 'https://cdn.discordapp.com/attachments/1/2/IMG_1.webp',
      filename: 'IMG_1.webp',
      reportedSize: 1234,
    });
  });

  it('goes by the name when the uploader gave no content type', () => {
    expect(firstPicture({ attachments: [attachment('IMG_0001.HEIC', null)], embeds: [] })?.filename).toBe('IMG_0001.HEIC');
    expect(firstPicture({ attachments: [attachment('archive.zip', null)], embeds: [] })).toBeUndefined();
  });

  it("is an embed's picture, through Discord's media proxy, when nothing is attached", () => {
    const embeds = [
      {
        type: 'image',
        thumbnail: {
          url: 'https://example.com/a%20cat.png',
          proxyURL: 'https://media.discordapp.net/external/x/https/example.com/a%20cat.png',
        },
      },
    ];
    expect(firstPicture({ attachments: [], embeds })).toEqual({
      url: 'https://media.discordapp.net/external/x/https/example.com/a%20cat.png',
      filename: 'a cat.png',
    });
  });

  it('skips a picture the bot may not fetch (a link proxied by images-ext-N), so the member is told privately there is none', () => {
    const onDiscordOnly = (url: string) => ['cdn.discordapp.com', 'media.discordapp.net'].includes(new URL(url).hostname);
    const external = {
      type: 'image',
      thumbnail: {
        url: 'https://example.com/cat.png',
        proxyURL: 'https://images-ext-1.discordapp.net/external/x/https/example.com/cat.png',
      },
    };
    expect(firstPicture({ attachments: [], embeds: [external] }, onDiscordOnly)).toBeUndefined();
    // A later embed the bot may fetch is taken instead.
    const proxied = {
      type: 'image',
      thumbnail: { url: 'https://example.com/dog.png', proxyURL: 'https://media.discordapp.net/external/y/dog.png' },
    };
    expect(firstPicture({ attachments: [], embeds: [external, proxied] }, onDiscordOnly)?.url).toBe(
      'https://media.discordapp.net/external/y/dog.png',
    );
  });

  it('names a picture whose address has a malformed escape by a plain word rather than failing', () => {
    const embeds = [{ type: 'image', thumbnail: { url: 'https://media.discordapp.net/external/z/100%.png' } }];
    expect(firstPicture({ attachments: [], embeds })?.filename).toBe('picture');
  });

  it("is not a video link's thumbnail", () => {
    expect(
      firstPicture({ attachments: [], embeds: [{ type: 'video', thumbnail: { url: 'https://i.ytimg.com/vi/x/hq.jpg' } }] }),
    ).toBeUndefined();
  });

  it('is nothing for a message of text only', () => {
    expect(firstPicture({ attachments: [], embeds: [] })).toBeUndefined();
  });
});
