/**
 * The first picture of a message, for the "Animate" menu: its first attachment that says it is an image
 * (by content type, or by its name when the uploader's client gave none), else the first embed's image, as
 * Discord's media proxy serves it (a link to a picture shows as an embed). What it says it is decides only
 * which one to take: the bytes are checked like any /animate picture.
 */
import type { TaskRecord } from '../tasks/task-record.ts';

export interface MessageAttachmentView {
  url: string;
  name: string;
  size: number;
  contentType: string | null;
}

export interface MessageEmbedView {
  type?: string | undefined;
  image?: { url: string; proxyURL?: string | undefined } | null;
  thumbnail?: { url: string; proxyURL?: string | undefined } | null;
}

const PICTURE_NAME = /\.(png|jpe?g|webp|avif|gif|tiff?|heic|heif)$/i;

export function firstPicture(message: {
  attachments: Iterable<MessageAttachmentView>;
  embeds: Iterable<MessageEmbedView>;
}): TaskRecord['image'] | undefined {
  for (const attachment of message.attachments) {
    const saysImage = attachment.contentType === null ? PICTURE_NAME.test(attachment.name) : attachment.contentType.startsWith('image/');
    if (saysImage) return { url: attachment.url, filename: attachment.name, reportedSize: attachment.size };
  }
  for (const embed of message.embeds) {
    // A link to a picture becomes an embed of type "image" whose picture is its thumbnail.
    const asset = embed.image ?? (embed.type === 'image' ? embed.thumbnail : null);
    if (asset) {
      const url = asset.proxyURL ?? asset.url;
      return { url, filename: filenameOf(url) };
    }
  }
  return undefined;
}

function filenameOf(url: string): string {
  const path = URL.parse(url)?.pathname ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'picture';
}
