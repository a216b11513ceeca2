/**
 * Time given to external programs (tshark, a spawned rpctrace). Idle, tshark starts in about
 * 0.5 s; on the shared 2-core machine with the rest of the suite running beside it, a call has
 * been seen to take several seconds. The bounds are far above that, and each test that calls an
 * external program sets its own timeout from them instead of vitest's 5 s default.
 */
export const EXTERNAL_CALL_MS = 60_000;
/** A test that makes a few external calls. */
export const EXTERNAL_TEST_MS = 180_000;
