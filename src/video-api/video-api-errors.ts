/**
 * What can go wrong talking to the video API, each with its outcome for the member. The provider's status and
 * reason token ride along for the logs; the API key never does (the client scrubs provider text before it
 * gets here).
 */
import { UserFacingError } from '../errors.ts';
import type { TaskFailure } from '../outcomes.ts';

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

  constructor(failure: TaskFailure, details: ProviderErrorDetails = {}) {
    super(failure, details.cause === undefined ? undefined : { cause: details.cause });
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
    super({ kind: 'provider_rejected', ...(providerMessage ? { reason: providerMessage } : {}) }, details);
    this.name = 'ProviderRejected';
    if (providerMessage) this.providerMessage = providerMessage;
  }
}

/** 401/403 with a bad key: nothing the member can fix, and details would only leak internals. */
export class ProviderMisconfigured extends VideoApiError {
  constructor(details: ProviderErrorDetails = {}) {
    super({ kind: 'provider_misconfigured' }, details);
    this.name = 'ProviderMisconfigured';
  }
}

/** 403 NOT_ENOUGH_BALANCE: the account behind the bot is out of credit. */
export class ProviderOutOfCredit extends VideoApiError {
  constructor(details: ProviderErrorDetails = {}) {
    super({ kind: 'provider_out_of_credit' }, details);
    this.name = 'ProviderOutOfCredit';
  }
}

/** 5xx, 429 or network trouble that outlasted the retries. */
export class ProviderUnavailable extends VideoApiError {
  /** How long the provider asked us to wait (Retry-After), when it said so. */
  readonly retryAfterMs?: number;

  constructor(details: ProviderErrorDetails & { retryAfterMs?: number } = {}) {
    super({ kind: 'provider_unavailable' }, details);
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
    super({ kind: 'submit_unknown' }, details);
    this.name = 'SubmitOutcomeUnknown';
  }
}

/**
 * The caller's last check before a submission leaves (`beforeSend`) said no: nothing was sent. Not a provider
 * failure; the caller knows why it said no.
 */
export class SubmitAborted extends Error {
  constructor() {
    super('submission aborted before it was sent');
    this.name = 'SubmitAborted';
  }
}
