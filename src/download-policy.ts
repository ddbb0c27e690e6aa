/**
 * Where the bot may download from. A URL it is handed is data from outside (a member's attachment, the
 * provider's answer): without these checks it could make the bot fetch from its own network (SSRF), such as
 * a cloud metadata address or an admin port on localhost.
 * - The member's picture comes only over https from Discord's attachment hosts, and every redirect is checked.
 * - The finished video comes only over https, never from a private, loopback or link-local address. The
 *   address is checked in the connection itself (the DNS answer the socket connects to, and the socket's
 *   peer), so a name that resolves differently between a check and the connection cannot slip through.
 * Tests relax both to reach their stand-ins on 127.0.0.1 (ATTACHMENT_HOSTS, ALLOW_INSECURE_DOWNLOADS).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/** Where Discord serves attachments (https://discord.com/developers/docs/reference#image-formatting-image-base-url). */
export const DISCORD_ATTACHMENT_HOSTS: readonly string[] = Object.freeze(['cdn.discordapp.com', 'media.discordapp.net']);

export interface DownloadPolicy {
  /** Host names (no ports) the member's picture may come from. */
  readonly attachmentHosts: readonly string[];
  /** Allows http, and loopback or private addresses, for pictures and videos alike: for tests only. */
  readonly allowInsecure: boolean;
}

export const SAFE_DOWNLOADS: DownloadPolicy = Object.freeze({ attachmentHosts: DISCORD_ATTACHMENT_HOSTS, allowInsecure: false });

/** The bot will not download from there; asking again will not change that. */
export class DownloadRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadRefused';
  }
}

/** Whether `error`, or an error it was caused by, is a refusal (undici wraps what a connector reports). */
export function isDownloadRefused(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DownloadRefused) return true;
    if (e instanceof AggregateError && e.errors.some(isDownloadRefused)) return true;
  }
  return false;
}

/** The picture's URL, parsed, when the bot may fetch it (the first one and every redirect); throws DownloadRefused. */
export function checkPictureUrl(url: string | URL, policy: DownloadPolicy): URL {
  const parsed = checkScheme(url, policy);
  if (!policy.attachmentHosts.includes(parsed.hostname.toLowerCase())) {
    throw new DownloadRefused(`${parsed.hostname} is not one of the attachment hosts`);
  }
  return parsed;
}

/** Whether a picture may be downloaded from `url` under `policy` (checkPictureUrl, as a yes or no). */
export function mayFetchPicture(url: string, policy: DownloadPolicy): boolean {
  try {
    checkPictureUrl(url, policy);
    return true;
  } catch (error) {
    if (isDownloadRefused(error)) return false;
    throw error;
  }
}

/** The video's URL, parsed, when the bot may fetch it; throws DownloadRefused. The address is checked on connecting. */
export function checkVideoUrl(url: string | URL, policy: DownloadPolicy): URL {
  return checkScheme(url, policy);
}

function checkScheme(url: string | URL, policy: DownloadPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadRefused('not a URL');
  }
  const allowed = policy.allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(parsed.protocol)) throw new DownloadRefused(`${parsed.protocol} downloads are not allowed`);
  return parsed;
}

/**
 * Addresses that are not on the public internet: this host, private networks, link-local (cloud metadata
 * at 169.254.169.254), carrier-grade NAT, multicast, reserved and documentation ranges, and the IPv6 forms
 * that embed one of those (mapped, NAT64, 6to4). https://www.iana.org/assignments/iana-ipv4-special-registry
 */
const IPV4_NOT_PUBLIC: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
/** https://www.iana.org/assignments/iana-ipv6-special-registry */
const IPV6_NOT_PUBLIC: readonly (readonly [string, number])[] = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID…)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const notPublic = (() => {
  const list = new BlockList();
  for (const [address, prefix] of IPV4_NOT_PUBLIC) {
    // BlockList matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against these on its own.
    list.addSubnet(address, prefix, 'ipv4');
    const [hi, lo] = ipv4Halves(address);
    // The same range as NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::) would reach it too.
    list.addSubnet(`64:ff9b::${hi}:${lo}`, 96 + prefix, 'ipv6');
    list.addSubnet(`2002:${hi}:${lo}::`, 16 + prefix, 'ipv6');
  }
  for (const [address, prefix] of IPV6_NOT_PUBLIC) list.addSubnet(address, prefix, 'ipv6');
  return list;
})();

function ipv4Halves(address: string): [string, string] {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** Whether `address` (an IP literal, IPv6 with or without brackets) is on the public internet. Anything else is not. */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // A zone index (fe80::1%eth0) only ever qualifies a link-local address.
  if (bare.includes('%')) return false;
  const family = isIP(bare);
  if (family === 0) return false;
  return !notPublic.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

type Resolve = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: Resolve = (hostname, options, callback) => {
  dnsLookup(hostname, options, callback);
};

/**
 * A `lookup` for net/tls connections that hands the socket only public addresses. The socket connects to
 * exactly what this returns, so the address checked is the address used: there is no second resolution.
 */
export function publicAddressLookup(resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      const allowed = wanted.filter((a) => isPublicAddress(a.address));
      const first = allowed[0];
      if (first === undefined) {
        callback(new DownloadRefused(`${hostname} resolves to no public address`), '', 0);
        return;
      }
      if (options.all === true) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

export interface DownloadDispatcherOptions {
  /** Stands in for DNS in tests. */
  resolve?: Resolve;
  /** Default undici's 10 s. */
  connectTimeoutMs?: number;
}

/**
 * The HTTP dispatcher downloads go through. Under a safe policy it connects only to public addresses: a
 * name is resolved inside the connection (publicAddressLookup), an IP literal is checked before connecting,
 * and the connected peer is checked again before a byte is sent.
 */
export function createDownloadDispatcher(policy: DownloadPolicy, options: DownloadDispatcherOptions = {}): Dispatcher {
  const timeout = options.connectTimeoutMs;
  if (policy.allowInsecure) return new Agent({ connect: { timeout } });
  const connector = buildConnector({ timeout, lookup: publicAddressLookup(options.resolve) });
  const connect: buildConnector.connector = (target, callback) => {
    if (isIP(target.hostname) !== 0 && !isPublicAddress(target.hostname)) {
      callback(new DownloadRefused(`${target.hostname} is not a public address`), null);
      return;
    }
    connector(target, (...result) => {
      const [error, socket] = result;
      if (error !== null) {
        callback(error, null);
        return;
      }
      const peer = socket.remoteAddress;
      if (peer === undefined || !isPublicAddress(peer)) {
        socket.destroy();
        callback(new DownloadRefused(`connected to ${peer ?? 'an unknown address'}, which is not public`), null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect });
}
