/* judge_item.c: the helpers every judge function shares to fill its item
 * (judge-int.h): raw values, the value and note lines, the fixes (sysctl
 * lines included), "could not be read", count formatting, and the demand a
 * limit is measured against. Below the judge files and the driver, so no
 * file of the model calls back up. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/fmt.h"
#include "limits/judge-int.h"

#define SYSCTL_D "/etc/sysctl.d/99-maxconn.conf"


void mc__add_val(struct mc_limits_item *it, const char *key, struct mc_host_num n)
{
	if (it->nvals >= MC_LIMITS_MAX_VALS)
		return;
	it->vals[it->nvals].key = key;
	it->vals[it->nvals].v = n.v;
	it->vals[it->nvals].known = n.err == 0;
	it->nvals++;
}

void mc__set_value(struct mc_limits_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->value, sizeof(it->value), fmt, ap);
	va_end(ap);
}

void mc__set_note(struct mc_limits_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->note, sizeof(it->note), fmt, ap);
	va_end(ap);
}

void mc__add_fix(struct mc_limits_item *it, const char *fmt, ...)
{
	va_list ap;

	if (it->nfix >= MC_LIMITS_MAX_FIX)
		return;
	va_start(ap, fmt);
	vsnprintf(it->fix[it->nfix++], sizeof(it->fix[0]), fmt, ap);
	va_end(ap);
}

/* The sysctl pair every sysctl fix prints: the command that changes it now
 * and the line that keeps it after a reboot. */
void mc__fix_sysctl(struct mc_limits_item *it, const char *key, const char *val)
{
	mc__add_fix(it, "sysctl -w %s=\"%s\"", key, val);
	mc__add_fix(it, "echo '%s = %s' >> " SYSCTL_D, key, val);
}

void mc__fix_sysctl_u64(struct mc_limits_item *it, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	mc__fix_sysctl(it, key, buf);
}

/* Status unknown: name the file and the errno. */
void mc__set_unknown(struct mc_limits_item *it, const char *what, int err)
{
	char eb[96];

	it->status = MC_LIMITS_UNKNOWN;
	it->conns = MC_LIMITS_NONE;
	snprintf(it->reason, sizeof(it->reason), "cannot read %s: %s", what,
		 mc_strerror(err, eb, sizeof(eb)));
	if (!it->value[0])
		mc__set_value(it, "unknown");
}

bool mc__global_absent(const struct mc__judge *c, struct mc_limits_item *it,
		       struct mc_host_num n, const char *key)
{
	char eb[96];

	if (!c->s->netns_child || n.err != -ENOENT)
		return false;
	it->status = MC_LIMITS_FINE;
	it->kind = MC_LIMITS_INFO;
	mc__set_value(it, "global (initial network namespace)");
	mc__set_note(it,
		     "one setting for the whole host, not shown in this network namespace; read it "
		     "in the initial one: sysctl %s (could not join it from here: %s)",
		     key, mc_strerror(c->s->globals_err ? c->s->globals_err : -ENOENT, eb, sizeof(eb)));
	return true;
}

void mc__note_global(const struct mc__judge *c, struct mc_limits_item *it)
{
	size_t n = strlen(it->note);

	if (c->s->netns_child && c->s->globals_from_init)
		snprintf(it->note + n, sizeof(it->note) - n,
			 "%sglobal: read from the initial network namespace", n ? "; " : "");
}

const char *mc__cnt(uint64_t v, char *buf, size_t len)
{
	if (v == MC_LIMITS_NONE)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* A read number as text, "?" when unknown. */
const char *mc__numstr(struct mc_host_num n, char *buf, size_t len)
{
	if (n.err)
		snprintf(buf, len, "?");
	else
		mc__cnt(n.v, buf, len);
	return buf;
}

/* The demand a fix is computed for: --target, or else twice the ceiling
 * (an example of the next step). */
uint64_t mc__demand(const struct mc__judge *c, const struct mc_limits_item *it)
{
	if (c->sc->target)
		return c->sc->target;
	if (it->conns == MC_LIMITS_NONE || it->conns == 0)
		return 1000;
	return mc__mul_sat(it->conns, 2);
}

