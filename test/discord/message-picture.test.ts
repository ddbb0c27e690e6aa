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

  it("is not a video link's thumbnail", () => {
    expect(
      firstPicture({ attachments: [], embeds: [{ type: 'video', thumbnail: { url: 'https://i.ytimg.com/vi/x/hq.jpg' } }] }),
    ).toBeUndefined();
  });

  it('is nothing for a message of text only', () => {
    expect(firstPicture({ attachments: [], embeds: [] })).toBeUndefined();
  });
});
