/* echo.h: the bytes --echo-verify sends and checks, internal to the client
 * engine. Byte `off` of connection `idx` is a function of both, so no two
 * connections share a stream and a byte delivered to the wrong connection,
 * out of order or twice shows. Pure (a table made once). */
#ifndef MC_CLIENT_ECHO_H
#define MC_CLIENT_ECHO_H

#include <stddef.h>
#include <stdint.h>

/* Bytes off .. off+len-1 of connection idx's stream into buf. */
void mc_client__echo_fill(uint32_t idx, uint32_t off, unsigned char *buf, size_t len);

/* Where buf (n bytes come back from offset off of connection idx's stream)
 * first differs from the stream: an index below n, or n when all of it is
 * right. */
size_t mc_client__echo_check(uint32_t idx, uint32_t off, const unsigned char *buf, size_t n);

#endif
