/** A bad flag value, or a missing file named on the command line: exit code 2, before any work. */
export class UsageError extends Error {}

/** Work stopped for a reason the user should act on (e.g. the loss diverged): exit code 1. */
export class RunError extends Error {}
