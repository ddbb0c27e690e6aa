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

/**
 * `mayFetch` says whether the bot may download a picture from an address (the download policy): an embed's
 * picture it may not fetch (a link proxied by `images-ext-N.discordapp.net`, say) is passed over, so the
 * member hears privately that the message has no picture rather than publicly that the download was refused.
 */
export function firstPicture(
  message: { attachments: Iterable<MessageAttachmentView>; embeds: Iterable<MessageEmbedView> },
  mayFetch: (url: string) => boolean = () => true,
): TaskRecord['image'] | undefined {
  for (const attachment of message.attachments) {
    const saysImage = attachment.contentType === null ? PICTURE_NAME.test(attachment.name) : attachment.contentType.startsWith('image/');
    if (saysImage) return { url: attachment.url, filename: attachment.name, reportedSize: attachment.size };
  }
  for (const embed of message.embeds) {
    // A link to a picture becomes an embed of type "image" whose picture is its thumbnail.
    const asset = embed.image ?? (embed.type === 'image' ? embed.thumbnail : null);
    const url = asset ? [asset.proxyURL, asset.url].find((candidate) => candidate !== undefined && mayFetch(candidate)) : undefined;
    if (url !== undefined) return { url, filename: filenameOf(url) };
  }
  return undefined;
}

function filenameOf(url: string): string {
  const path = URL.parse(url)?.pathname ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last) || 'picture';
  } catch {
    // A malformed escape (a literal "%"): the name is only shown, so a plain word does.
    return 'picture';
  }
}
