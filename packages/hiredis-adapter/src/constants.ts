/**
 * hiredis's status and error codes, with the same names and values, so code
 * ported from C keeps its comparisons (`if (c.err === REDIS_ERR_EOF)`).
 */

/** Success status for connect/disconnect callbacks and API calls. */
export const REDIS_OK = 0;
/** Failure status. */
export const REDIS_ERR = -1;

/** Error in I/O; `errstr` carries the system's message. */
export const REDIS_ERR_IO = 1;
/** The server closed the connection ("Server closed the connection"). */
export const REDIS_ERR_EOF = 3;
/** The reply stream could not be parsed. */
export const REDIS_ERR_PROTOCOL = 4;
/** Out of memory (here: a configured size limit was crossed). */
export const REDIS_ERR_OOM = 5;
/** A connect or command deadline passed ("Timeout"). */
export const REDIS_ERR_TIMEOUT = 6;
/** Everything else; `errstr` says what. */
export const REDIS_ERR_OTHER = 2;

export type RedisErrCode =
  | 0
  | typeof REDIS_ERR_IO
  | typeof REDIS_ERR_OTHER
  | typeof REDIS_ERR_EOF
  | typeof REDIS_ERR_PROTOCOL
  | typeof REDIS_ERR_OOM
  | typeof REDIS_ERR_TIMEOUT;

/*
 * Context flags (`ac.c.flags`), hiredis's values. They describe the
 * asynchronous context's state; several can be set at once.
 */

/** The connection is established and the handshake (AUTH, HELLO, ...) done. */
export const REDIS_CONNECTED = 0x2;
/** `redisAsyncDisconnect` was called: no new commands, pending ones finish. */
export const REDIS_DISCONNECTING = 0x4;
/** The context is being (or has been) freed. */
export const REDIS_FREEING = 0x8;
/** A user callback is running: free/disconnect wait until it returns. */
export const REDIS_IN_CALLBACK = 0x10;
/** RESP2 subscribed mode: only (un)subscribe commands, PING, RESET and QUIT. */
export const REDIS_SUBSCRIBED = 0x20;
/** MONITOR succeeded: every further reply is a monitor line. */
export const REDIS_MONITORING = 0x40;
