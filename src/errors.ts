/**
 * The failures a member can be told about. Each carries its outcome as data; the catalogue words it.
 * Anything that is not one of these is logged with context and shown as a generic apology with a reference id.
 */
import type { PictureProblem, TaskFailure } from './outcomes.ts';

export class UserFacingError extends Error {
  /** What happened, for the member: the catalogue renders it in their language. */
  readonly failure: TaskFailure;

  constructor(failure: TaskFailure, options?: { cause?: unknown }) {
    super(failure.kind, options);
    this.name = 'UserFacingError';
    this.failure = failure;
  }

  get kind(): TaskFailure['kind'] {
    return this.failure.kind;
  }
}

/** The picture cannot be used (format, size, dimensions) or could not be fetched. */
export class InvalidImage extends UserFacingError {
  declare readonly failure: PictureProblem;

  constructor(problem: PictureProblem, options?: { cause?: unknown }) {
    super(problem, options);
    this.name = 'InvalidImage';
  }
}
