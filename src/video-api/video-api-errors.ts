/**
 * What can go wrong talking to the video API, each with the text a member reads. The provider's status and
 * reason token ride along for the logs; the API key never does (the client scrubs provider text before it
 * gets here).
 */
import { UserFacingError, type UserFacingErrorKind } from '../errors.ts';

export interface ProviderErrorDetails {
  /** HTTP status the provider answered with, when it answered at all. */
  status?: number;
  /** The provider's reason token, e.g. `INVALID_REQUEST_BODY`. */
  reason?: string;
  cause?: unknown;
}

/** Common shape of every video-API failure, so callers and logs can read `status`/`reason` uniformly. */
export class VideoApiError extends UserFacingError {
  readonly status?: number;
  readonly reason?: string;

  constructor(kind: UserFacingErrorKind, userMessage: string, details: ProviderErrorDetails = {}) {
    super(kind, userMessage, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VideoApiError';
    if (details.status !== undefined) this.status = details.status;
    if (details.reason !== undefined) this.reason = details.reason;
  }
}

/** 400 INVALID_REQUEST_BODY and other 4xx: the member can change the picture or prompt and try again. */
export class ProviderRejected extends VideoApiError {
  /** The provider's own explanation, already cleaned for display; undefined when it gave none. */
  readonly providerMessage?: string;

  constructor(providerMessage: string | undefined, details: ProviderErrorDetails = {}) {
    super(
      'provider_rejected',
      providerMessage
        ? `The provider rejected this picture or prompt: ${providerMessage}`
        : 'The provider rejected this picture or prompt.',
      details,
    );
    this.name = 'ProviderRejected';
    if (providerMessage) this.providerMessage = providerMessage;
  }
}

/** 401/403 with a bad key: nothing the member can fix, and details would only leak internals. */
export class ProviderMisconfigured extends VideoApiError {
  constructor(details: ProviderErrorDetails = {}) {
    super('provider_misconfigured', "The video service is misconfigured on the bot's side. An admin has been alerted.", details);
    this.name = 'ProviderMisconfigured';
  }
}

/** 403 NOT_ENOUGH_BALANCE: the account behind the bot is out of credit. */
export class ProviderOutOfCredit extends VideoApiError {
  constructor(details: ProviderErrorDetails = {}) {
    super('provider_out_of_credit', 'Video generation is unavailable right now. Please try again later.', details);
    this.name = 'ProviderOutOfCredit';
  }
}

/** 5xx, 429 or network trouble that outlasted the retries. */
export class ProviderUnavailable extends VideoApiError {
  /** How long the provider asked us to wait (Retry-After), when it said so. */
  readonly retryAfterMs?: number;

  constructor(details: ProviderErrorDetails & { retryAfterMs?: number } = {}) {
    super('provider_unavailable', 'The video service is not responding right now. Please try again in a few minutes.', details);
    this.name = 'ProviderUnavailable';
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * The submit may have reached the provider (time-out or connection lost after the body was sent), so a
 * paid task may exist. Retrying could create a second one, which is why this is never retried.
 */
export class SubmitOutcomeUnknown extends VideoApiError {
  constructor(details: ProviderErrorDetails = {}) {
    super(
      'submit_unknown',
      'The video service did not confirm your request in time. It was not sent again, to avoid charging twice.',
      details,
    );
    this.name = 'SubmitOutcomeUnknown';
  }
}
