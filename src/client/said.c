/* said.c: what a server said on connections it then ended, as text for
 * people (the client's summary, the probe's evidence). */
#include "client/client.h"

#include <stdio.h>

void mc_client_said_text(const struct mc_client_said *sd, char *out, size_t len)
{
	size_t o = 0;

	if (len < 8) {
		if (len)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (unsigned i = 0; i < sd->len && i < MC_CLIENT_SAID_BYTES && o + 8 < len; i++) {
		unsigned char c = sd->bytes[i];
		const char *esc = c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
				: c == '"' ? "\\\"" : c == '\\' ? "\\\\" : NULL;
		if (esc)
			o += (size_t)snprintf(out + o, len - o, "%s", esc);
		else if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	out[o++] = '"';
	if (sd->len >= MC_CLIENT_SAID_BYTES && o + 4 < len)
		o += (size_t)snprintf(out + o, len - o, "...");
	out[o] = '\0';
}
