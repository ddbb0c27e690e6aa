/**
 * The failures a member can be told about. Each carries the short text the member sees; anything that is
 * not one of these is logged with context and shown as a generic apology with a reference id.
 */

export type UserFacingErrorKind =
  | 'invalid_image'
  | 'image_unavailable'
  | 'provider_rejected'
  | 'provider_unavailable'
  | 'provider_misconfigured'
  | 'provider_out_of_credit'
  | 'generation_failed'
  | 'submit_unknown'
  | 'internal';

export class UserFacingError extends Error {
  readonly kind: UserFacingErrorKind;
  /** What the member reads: short, specific, and safe to show (no secrets, no internals). */
  readonly userMessage: string;

  constructor(kind: UserFacingErrorKind, userMessage: string, options?: { cause?: unknown }) {
    super(userMessage, options);
    this.name = 'UserFacingError';
    this.kind = kind;
    this.userMessage = userMessage;
  }
}

/** The picture cannot be used (format, size, dimensions). */
export class InvalidImage extends UserFacingError {
  constructor(userMessage: string) {
    super('invalid_image', userMessage);
    this.name = 'InvalidImage';
  }
}
