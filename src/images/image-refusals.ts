/** What a member reads when their picture cannot be used: each says what is wrong and what to do instead. */
export const imageRefusals = {
  notAPicture: "That file isn't a PNG or JPEG picture. Please attach a .png or .jpg image.",
  gif: "GIFs (animated or not) can't be used; please attach a .png or .jpg image.",
  webp: "WebP pictures can't be used; please attach a .png or .jpg image.",
  damaged: (format: 'PNG' | 'JPEG'): string =>
    `That ${format} picture seems damaged or incomplete; please save it again or attach another one.`,
  tooSmall: (width: number, height: number, minWidth: number, minHeight: number): string =>
    `That picture is ${width}x${height}; it needs to be at least ${minWidth}x${minHeight} pixels.`,
  tooManyPixels: (maxPixels: number): string =>
    `That picture is too large (over ${maxPixels / 1_000_000} megapixels); please attach a smaller one.`,
  tooManyBytes: (maxBytes: number): string => `That picture is larger than ${maxBytes / 1_000_000} MB; please attach a smaller one.`,
  unavailable: "Couldn't download your picture from Discord. Please try again.",
} as const;
