/* html.c: the `maxconn probe --html` page (see probe.h).
 *
 * Owns everything the page shows and how: HTML escaping, the header
 * sentence, the three inline SVG charts (connections over time, memory
 * against connections, each limit's distance on a log scale) with their
 * axes, ticks and legends, and the tables (steps, evidence, memory, limits).
 * The page is one file: no script, no external style, font or image, so it
 * opens anywhere without a network.
 *
 * It only reads struct mc_probe_report, its result and memory figures
 * through result.c (shared with report.c). Every coordinate goes through
 * px_x()/px_y(), which map NaN and infinities into the plot area, so a
 * report with NaN or UINT64_MAX (MC_LIMITS_NONE) values still gives SVG a
 * browser can draw. Stable ids for tests and readers: chart-conns,
 * chart-memory, chart-limits, series-held, series-server, series-kernel,
 * series-user, reached, limit, predicted, diff. */
#include "probe/probe.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "common/fmt.h"

/* ------------------------------------------------------------------ text */

/* Write pre, then s (at most max bytes: the report's fields are fixed
 * arrays) with the five HTML special characters escaped, then post. With
 * only_set, an empty s writes nothing at all. */
static void put_in(FILE *f, const char *pre, const char *s, size_t max, const char *post,
		   bool only_set)
{
	if (!s)
		s = "";
	if (only_set && !s[0])
		return;
	fputs(pre, f);
	for (size_t i = 0; i < max && s[i]; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(s[i], f);
		}
	}
	fputs(post, f);
}

/* PUT(f, "<td>", step->happened, "</td>") for a char array of the report;
 * PUT_SET writes nothing when it is empty; PUT_STR for a C string. */
#define PUT(f, pre, field, post)     put_in((f), (pre), (field), sizeof(field), (post), false)
#define PUT_SET(f, pre, field, post) put_in((f), (pre), (field), sizeof(field), (post), true)
#define PUT_STR(f, pre, s, post)     put_in((f), (pre), (s), SIZE_MAX, (post), false)

static bool none(uint64_t v)
{
	return v == MC_LIMITS_NONE;
}

/* A count for a table cell: "1,234,567", or "no ceiling" for NONE. */
static void put_count(FILE *f, uint64_t n)
{
	char b[32];

	fputs(none(n) ? "no ceiling" : mc_fmt_thousands(n, b, sizeof(b)), f);
}

static void put_bytes(FILE *f, uint64_t n)
{
	char b[32];

	fputs(mc_fmt_bytes(n, b, sizeof(b)), f);
}

/* A double for a table cell with the given decimals, "n/a" when NaN/inf. */
static void put_num(FILE *f, double v, int decimals)
{
	if (isfinite(v))
		fprintf(f, "%.*f", decimals, v);
	else
		fputs("n/a", f);
}

static void put_pct(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%+.1f%%", v);
	else
		fputs("n/a", f);
}

static int clamp_n(int n, int max)
{
	return n < 0 ? 0 : n > max ? max : n;
}

/* The words for the limit id of the last step, or NULL. */
static const char *limit_name(const struct mc_probe_report *r, const char *id)
{
	const struct mc_probe_step *s = mc_probe_last(r);
	const struct mc_probe_limit *l;

	if (!id[0])
		return NULL;
	if (s->limit_name[0] && strncmp(s->limit_id, id, sizeof(s->limit_id)) == 0)
		return s->limit_name;
	l = mc_probe_step_limit(s, id);
	return l && l->name[0] ? l->name : NULL;
}

/* ---------------------------------------------------------------- charts */

enum unit { U_COUNT, U_BYTES, U_SECONDS };

/* A linear axis from 0 to top, ticks every step. */
struct axis {
	enum unit unit;
	double top, step;
};

/* The plot area of one chart, in SVG pixels, and the values it spans. */
struct plot {
	double left, top, right, bottom;
	double xmax, ymax; /* linear axes start at 0 */
	double lmin, lmax; /* log axis: decades */
	bool xlog;
};

#define CHART_W 960.0

/* 1, 2, 2.5, 5 or 10 times a power of ten, at least x (x > 0). */
static double nice(double x)
{
	double e = pow(10, floor(log10(x)));
	double m = x / e;

	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * e;
}

/* About five ticks up to at least vmax; byte axes step in whole binary
 * units (256 KiB, not 262.1k). */
static struct axis axis_make(double vmax, enum unit u)
{
	struct axis a = {.unit = u};
	double scale = 1;

	if (!isfinite(vmax) || vmax <= 0)
		vmax = u == U_SECONDS ? 1 : 10;
	if (u == U_BYTES)
		while (vmax / scale >= 1024 && scale < 0x1p60)
			scale *= 1024;
	if (u == U_COUNT && vmax < 5)
		vmax = 5;
	a.step = nice(vmax / scale / 5) * scale;
	if (u == U_COUNT && a.step < 1)
		a.step = 1;
	a.top = ceil(vmax / a.step) * a.step;
	return a;
}

/* Short labels with three significant digits: 0, 500, 20k, 1.05M / 0,
 * 512 KiB, 1.5 GiB / 0s, 2.5s. Used for ticks and figures on the charts. */
static void short_label(double v, enum unit u, char *buf, size_t len)
{
	static const char *const cnt[] = {"", "k", "M", "G", "T", "P", "E"};
	static const char *const byt[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	int i = 0;

	if (u == U_SECONDS) {
		snprintf(buf, len, "%gs", v);
		return;
	}
	/* 999.7k would print as "1e+03k": move up before rounding can reach 1000 */
	while (fabs(v) >= (u == U_BYTES ? 1024 : 999.5) && i < 6) {
		v /= u == U_BYTES ? 1024 : 1000;
		i++;
	}
	if (v == 0)
		snprintf(buf, len, "0");
	else if (u == U_BYTES)
		snprintf(buf, len, "%.4g %s", v, byt[i]);
	else
		snprintf(buf, len, "%.3g%s", v, cnt[i]);
}

static const char *short_count(uint64_t n, char *buf, size_t len)
{
	short_label((double)n, U_COUNT, buf, len);
	return buf;
}

/* NaN and infinities land on lo: coordinates are always finite. */
static double clampd(double v, double lo, double hi)
{
	if (!(v >= lo)) /* also NaN */
		return lo;
	return v > hi ? hi : v;
}

static double px_x(const struct plot *p, double v)
{
	double frac;

	if (p->xlog)
		frac = ((v >= 1 ? log10(v) : 0) - p->lmin) / (p->lmax - p->lmin);
	else
		frac = v / p->xmax;
	return p->left + clampd(frac, 0, 1) * (p->right - p->left);
}

static double px_y(const struct plot *p, double v)
{
	return p->bottom - clampd(v / p->ymax, 0, 1) * (p->bottom - p->top);
}

static void svg_open(FILE *f, const char *id, double h, const char *title, const char *desc)
{
	fprintf(f,
		"<figure>\n<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
		"aria-labelledby=\"%s-title\">\n<title id=\"%s-title\">",
		id, CHART_W, h, CHART_W, h, id, id);
	PUT_STR(f, "", title, "</title>\n");
	fprintf(f, "<text class=\"title\" x=\"%.1f\" y=\"22\">", CHART_W / 2);
	PUT_STR(f, "", title, "</text>\n");
	if (desc) {
		fprintf(f, "<text class=\"sub\" x=\"%.1f\" y=\"40\">", CHART_W / 2);
		PUT_STR(f, "", desc, "</text>\n");
	}
}

static void svg_close(FILE *f)
{
	fputs("</svg>\n</figure>\n", f);
}

/* The frame, grid lines, tick labels and axis titles of a linear plot. */
static void draw_axes(FILE *f, const struct plot *p, const struct axis *ax, const struct axis *ay,
		      const char *xtitle, const char *ytitle)
{
	char b[32];

	fputs("<g class=\"axes\">\n", f);
	for (int i = 0; i <= 20 && i * ay->step <= ay->top * (1 + 1e-9); i++) {
		double v = i * ay->step, y = px_y(p, v);

		short_label(v, ay->unit, b, sizeof(b));
		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick y\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			p->left, y, p->right, y, p->left - 6, y + 4, b);
	}
	for (int i = 0; i <= 20 && i * ax->step <= ax->top * (1 + 1e-9); i++) {
		double v = i * ax->step, x = px_x(p, v);

		short_label(v, ax->unit, b, sizeof(b));
		fprintf(f,
			"<line class=\"tickmark\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick x\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			x, p->bottom, x, p->bottom + 5, x, p->bottom + 18, b);
	}
	fprintf(f,
		"<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
		"<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		p->left, p->bottom, p->right, p->bottom, p->left, p->top, p->left, p->bottom);
	fprintf(f, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
		(p->left + p->right) / 2, p->bottom + 38, xtitle);
	fprintf(
	    f,
	    "<text class=\"axis-title\" transform=\"translate(%.1f %.1f) rotate(-90)\">%s</text>\n",
	    p->left - 62, (p->top + p->bottom) / 2, ytitle);
	fputs("</g>\n", f);
}

struct legend_item {
	const char *cls, *label;
};

/* A legend in one row under the x axis title, clear of the data. */
static void draw_legend(FILE *f, const struct plot *p, const struct legend_item *it, int n)
{
	double x = p->left, y = p->bottom + 62;

	fputs("<g class=\"legend\">\n", f);
	for (int i = 0; i < n; i++) {
		fprintf(f,
			"<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			it[i].cls, x, y - 4, x + 24, y - 4, x + 30, y, it[i].label);
		x += 60 + 7.0 * (double)strlen(it[i].label);
	}
	fputs("</g>\n", f);
}

static void no_data(FILE *f, const struct plot *p, const char *what)
{
	fprintf(f, "<text class=\"nodata\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
		(p->left + p->right) / 2, (p->top + p->bottom) / 2, what);
}

static size_t nsamples(const struct mc_probe_report *r)
{
	return r->samples ? r->nsamples : 0;
}

/* One polyline point a sample: t against held (or server_held). */
static void held_line(FILE *f, const struct plot *p, const struct mc_probe_sample *s, size_t n,
		      bool server)
{
	fprintf(f, "<polyline id=\"series-%s\" class=\"series %s\" points=\"",
		server ? "server" : "held", server ? "server" : "held");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%.1f,%.1f", i ? " " : "", px_x(p, s[i].t),
			px_y(p, (double)(server ? s[i].server_held : s[i].held)));
	fputs("\"/>\n", f);
}

/* (a) Connections held over time, with a marker where each step begins. */
static void chart_conns(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_sample *s = r->samples;
	size_t n = nsamples(r);
	uint64_t predicted = mc_probe_last(r)->predicted;
	struct plot p = {.left = 80, .top = 50, .right = CHART_W - 20, .bottom = 300};
	double tmax = 0, hmax = 0;
	bool server = false;
	struct axis ax, ay;
	struct legend_item leg[3];
	int nleg = 0;
	char b[32];

	for (size_t i = 0; i < n; i++) {
		if (isfinite(s[i].t) && s[i].t > tmax)
			tmax = s[i].t;
		if ((double)s[i].held > hmax)
			hmax = (double)s[i].held;
		if ((double)s[i].server_held > hmax)
			hmax = (double)s[i].server_held;
		server |= s[i].server_held != 0;
	}
	ax = axis_make(tmax, U_SECONDS);
	ay = axis_make(hmax, U_COUNT);
	p.xmax = ax.top;
	p.ymax = ay.top;

	svg_open(f, "chart-conns", 380, "Connections held over time",
		 r->staircase ? "dashed lines: a new staircase step after the named limit" : NULL);
	draw_axes(f, &p, &ax, &ay, "time since start", "connections held");
	if (n == 0)
		no_data(f, &p, "no samples were taken");

	/* step markers, labels staggered on three rows so close steps stay readable */
	for (size_t i = 1, k = 0; i < n; i++) {
		int prev = s[i - 1].step;
		double x;

		if (s[i].step == prev)
			continue;
		x = px_x(&p, s[i].t);
		fprintf(f,
			"<g class=\"step-marker\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">step %d",
			x, p.top, x, p.bottom, x + 3, p.top + 12 + 13.0 * (double)(k++ % 3),
			s[i].step + 1);
		if (prev >= 0 && prev < clamp_n(r->nsteps, MC_PROBE_MAX_STEPS))
			PUT_SET(f, ": after ", r->steps[prev].limit_id, "");
		fputs("</text></g>\n", f);
	}

	/* the predicted ceiling of the last step, when it fits on the chart */
	if (!none(predicted) && predicted > 0 && (double)predicted <= ay.top) {
		double y = px_y(&p, (double)predicted);

		fprintf(f,
			"<g class=\"predicted\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">predicted %s</text></g>\n",
			p.left, y, p.right, y, p.left + 6, y - 4,
			short_count(predicted, b, sizeof(b)));
		leg[nleg++] = (struct legend_item){"predicted", "predicted (last step)"};
	}

	/* the server's line first, so the client's stays visible where they agree */
	if (server)
		held_line(f, &p, s, n, true);
	if (n > 0) {
		held_line(f, &p, s, n, false);
		leg[nleg++] = (struct legend_item){"held", "client holds"};
	}
	if (server)
		leg[nleg++] = (struct legend_item){"server", "server holds"};
	if (n == 1) /* a line of one point draws nothing */
		fprintf(f, "<circle class=\"dot held\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>\n",
			px_x(&p, s[0].t), px_y(&p, (double)s[0].held));
	if (nleg)
		draw_legend(f, &p, leg, nleg);
	svg_close(f);
}

/* One path for a memory series: x = held, a new subpath at each step
 * (each step's deltas start again from its own baseline). */
static void memory_path(FILE *f, const struct plot *p, const struct mc_probe_report *r, size_t n,
			bool kernel)
{
	const struct mc_probe_sample *s = r->samples;

	fprintf(f, "<path id=\"series-%s\" class=\"series %s\" d=\"", kernel ? "kernel" : "user",
		kernel ? "kernel" : "user");
	for (size_t i = 0; i < n; i++) {
		bool start = i == 0 || s[i].step != s[i - 1].step;
		double v = (double)(kernel ? s[i].kernel_bytes : s[i].user_bytes);

		fprintf(f, "%s%c%.1f,%.1f", i ? " " : "", start ? 'M' : 'L',
			px_x(p, (double)s[i].held), px_y(p, v));
	}
	fputs("\"/>\n", f);
	if (n == 1)
		fprintf(f, "<circle class=\"dot %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>\n",
			kernel ? "kernel" : "user", px_x(p, (double)s[0].held),
			px_y(p, (double)(kernel ? s[0].kernel_bytes : s[0].user_bytes)));
}

/* (b) Kernel and user memory against connections held. */
static void chart_memory(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_sample *s = r->samples;
	size_t n = nsamples(r);
	struct plot p = {.left = 80, .top = 50, .right = CHART_W - 20, .bottom = 300};
	double hmax = 0, bmax = 0;
	struct axis ax, ay;
	static const struct legend_item leg[] = {{"kernel", "kernel (slab growth)"},
						 {"user", "user (RSS growth)"}};

	for (size_t i = 0; i < n; i++) {
		if ((double)s[i].held > hmax)
			hmax = (double)s[i].held;
		if ((double)s[i].kernel_bytes > bmax)
			bmax = (double)s[i].kernel_bytes;
		if ((double)s[i].user_bytes > bmax)
			bmax = (double)s[i].user_bytes;
	}
	ax = axis_make(hmax, U_COUNT);
	ay = axis_make(bmax, U_BYTES);
	p.xmax = ax.top;
	p.ymax = ay.top;

	svg_open(f, "chart-memory", 380, "Memory against connections held",
		 "growth since each step began; a line a step");
	draw_axes(f, &p, &ax, &ay, "connections held", "memory");
	if (n == 0) {
		no_data(f, &p, "no samples were taken");
	} else {
		memory_path(f, &p, r, n, true);
		memory_path(f, &p, r, n, false);
		draw_legend(f, &p, leg, 2);
	}
	svg_close(f);
}

/* (c) How many connections each limit of the last step allows, on a log
 * scale, with the reached count as a line and the binding limit marked. */
static void chart_limits(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_step *st = mc_probe_last(r);
	uint64_t reached = st->reached;
	int nl = clamp_n(st->nlimits, MC_PROBE_MAX_LIMITS);
	double row = 26, h = 130 + row * (nl ? nl : 1);
	struct plot p = {.left = 230, .top = 70, .right = CHART_W - 130, .xlog = true};
	double vmin = 1, vmax = 1;
	char b[32];

	p.bottom = h - 50;
	if (reached > 0 && !none(reached))
		vmax = (double)reached;
	for (int i = 0; i < nl; i++) {
		double v = (double)st->limits[i].conns;

		if (!none(st->limits[i].conns) && v > vmax)
			vmax = v;
	}
	p.lmin = floor(log10(vmin));
	p.lmax = ceil(log10(vmax));
	if (p.lmax <= p.lmin)
		p.lmax = p.lmin + 1;

	svg_open(f, "chart-limits", h, "How far each limit is (last step)",
		 "connections each limit allows, log scale; the line is what was reached");
	if (nl == 0)
		no_data(f, &p, "no limits were judged");

	/* decades: every one labelled, or every other past ten of them */
	fputs("<g class=\"axes\">\n", f);
	for (int d = (int)p.lmin, k = 0; d <= (int)p.lmax; d++, k++) {
		double x = px_x(&p, pow(10, d));

		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			x, p.top, x, p.bottom);
		if (p.lmax - p.lmin <= 10 || k % 2 == 0) {
			short_label(pow(10, d), U_COUNT, b, sizeof(b));
			fprintf(f, "<text class=\"tick x\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x,
				p.bottom + 18, b);
		}
	}
	fprintf(
	    f,
	    "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
	    "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\">connections allowed</text>\n</g>\n",
	    p.left, p.bottom, p.right, p.bottom, (p.left + p.right) / 2, p.bottom + 38);

	for (int i = 0; i < nl; i++) {
		const struct mc_probe_limit *l = &st->limits[i];
		bool inf = none(l->conns);
		double y = p.top + 8 + row * i, x = inf ? p.right : px_x(&p, (double)l->conns);

		fprintf(f, "<g class=\"bar%s%s\">", l->binding ? " binding" : "",
			inf ? " none" : "");
		fprintf(f, "<text class=\"bar-label\" x=\"%.1f\" y=\"%.1f\">", p.left - 8,
			y + row / 2);
		PUT(f, "", l->id, "</text>");
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			"<title>",
			p.left, y, x - p.left, row - 8);
		PUT(f, "", l->name, ": ");
		PUT(f, "", l->value, "</title></rect>");
		fprintf(f, "<text class=\"bar-value\" x=\"%.1f\" y=\"%.1f\">", x + 6, y + row / 2);
		fputs(inf ? "no ceiling" : short_count(l->conns, b, sizeof(b)), f);
		if (l->binding)
			fputs(" (binding)", f);
		fputs("</text></g>\n", f);
	}
	if (nl > 0) {
		double x = px_x(&p, none(reached) ? 0 : (double)reached);

		fprintf(f,
			"<g class=\"reached-line\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">reached %s</text></g>\n",
			x, p.top - 4, x, p.bottom, x, p.top - 8,
			short_count(reached, b, sizeof(b)));
	}
	svg_close(f);
}

/* ---------------------------------------------------------------- header */

static void html_head(FILE *f, const struct mc_probe_report *r)
{
	char b[32];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>maxconn probe: ",
	      f);
	fputs(mc_fmt_thousands(mc_probe_last(r)->reached, b, sizeof(b)), f);
	fputs(" connections</title>\n<style>\n"
	      "body{font:14px/1.45 'DejaVu Sans',sans-serif;color:#222;margin:24px auto;"
	      "max-width:1000px;padding:0 12px}\n"
	      "h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;"
	      "border-bottom:1px solid #ccc}h3{font-size:15px;margin:16px 0 4px}\n"
	      ".result{font-size:17px;background:#f3f6fa;border-left:4px solid #2a6fdb;"
	      "padding:8px 12px}\n"
	      "table{border-collapse:collapse;font-size:12.5px;margin:6px 0;max-width:100%}"
	      "th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
	      "th{background:#f0f0f0}td.n{text-align:right;white-space:nowrap}\n"
	      "tr.binding td{background:#fdecea;font-weight:bold}\n"
	      "figure{margin:12px 0}svg.chart{max-width:100%;height:auto;"
	      "border:1px solid #ddd;background:#fff}\n"
	      "svg text{font:12px 'DejaVu Sans',sans-serif;fill:#333}\n"
	      "svg .title{font-size:15px;font-weight:bold;text-anchor:middle}\n"
	      "svg .sub{font-size:11px;fill:#666;text-anchor:middle}\n"
	      "svg .grid{stroke:#e6e6e6}svg .axis,svg .tickmark{stroke:#444}\n"
	      "svg .tick.x,svg .axis-title,svg .nodata{text-anchor:middle}"
	      "svg .tick.y,svg .bar-label{text-anchor:end}\n"
	      "svg .nodata{fill:#999;font-size:16px}\n"
	      "svg .series{fill:none;stroke-width:2}svg .legend line{stroke-width:3}\n"
	      "svg .held{stroke:#2a6fdb;fill:#2a6fdb}svg .server{stroke:#e8871e;fill:#e8871e}"
	      "svg .series.server{stroke-dasharray:6 3}\n"
	      "svg .kernel{stroke:#8e44ad;fill:#8e44ad}svg .user{stroke:#27ae60;fill:#27ae60}\n"
	      "svg .series.held,svg .series.server,svg .series.kernel,svg .series.user{fill:none}\n"
	      "svg line.predicted,svg .predicted line{stroke:#888;stroke-dasharray:3 3}"
	      "svg .predicted text{fill:#666}\n"
	      "svg .step-marker line{stroke:#c0392b;stroke-dasharray:5 4}"
	      "svg .step-marker text{fill:#c0392b;font-size:11px}\n"
	      "svg .bar rect{fill:#9db8e8}svg .bar.binding rect{fill:#d9453a}"
	      "svg .bar.none rect{fill:#e4e4e4}svg .bar.binding text{font-weight:bold}\n"
	      "svg .reached-line line{stroke:#111;stroke-width:2}"
	      "svg .reached-line text{text-anchor:middle;font-weight:bold}\n"
	      "code{font-size:12px;background:#f4f4f4;padding:0 3px}\n"
	      "</style>\n</head>\n<body>\n",
	      f);
}

/* The result in one sentence, then where it ran. */
static void html_summary(FILE *f, const struct mc_probe_report *r, int exit_code)
{
	const struct mc_probe_step *last = mc_probe_last(r);
	const char *name = limit_name(r, last->limit_id);
	char b[32];

	fputs("<h1>maxconn probe</h1>\n<p class=\"result\" id=\"result\">Reached <strong "
	      "id=\"reached\" data-value=\"",
	      f);
	fprintf(f, "%" PRIu64 "\">%s</strong> connections", last->reached,
		mc_fmt_thousands(last->reached, b, sizeof(b)));
	if (none(r->target) || r->target == 0)
		fputs(" (target: as many as the host allows)", f);
	else
		fprintf(f, " of a target of %s", mc_fmt_thousands(r->target, b, sizeof(b)));
	fputs("; stopped by ", f);
	if (last->stop == MC_PROBE_LIMIT && last->limit_id[0]) {
		PUT(f, "the limit <strong id=\"limit\" data-value=\"", last->limit_id, "\">");
		PUT(f, "", last->limit_id, "</strong>");
		if (name)
			PUT_STR(f, " (", name, ")");
	} else {
		fprintf(f, "<strong id=\"limit\" data-value=\"%s\">%s</strong>",
			mc_probe_stop_str(last->stop), mc_probe_stop_words(last->stop));
	}
	fputs(". Predicted <span id=\"predicted\">", f);
	put_count(f, last->predicted);
	fputs("</span>", f);
	PUT_SET(f, " (", last->predicted_limit, ")");
	fputs(", difference <span id=\"diff\">", f);
	put_pct(f, last->diff_pct);
	fputs("</span>.</p>\n", f);

	PUT(f, "<table class=\"scene\">\n<tr><th>where</th><td>", r->where, "</td></tr>\n");
	fprintf(f, "<tr><th>network namespace</th><td>%s</td></tr>\n",
		r->netns ? "private" : "the host's");
	PUT(f, "<tr><th>kernel</th><td>", r->kernel, "</td></tr>\n");
	fprintf(f, "<tr><th>CPUs</th><td>%u</td></tr>\n<tr><th>memory</th><td>", r->cpus);
	put_bytes(f, r->mem_total);
	fputs("</td></tr>\n", f);
	PUT_SET(f, "<tr><th>target address</th><td>", r->target_addr, "</td></tr>\n");
	if (r->server_pid > 0 || r->server_name[0]) {
		fprintf(f, "<tr><th>server</th><td>pid %d", r->server_pid);
		PUT_SET(f, " (", r->server_name, ")");
		if (r->server_fd_limit > 0) {
			fputs(", open files limit ", f);
			put_count(f, r->server_fd_limit);
		}
		fputs("</td></tr>\n", f);
	}
	fprintf(f, "<tr><th>steps</th><td>%d%s</td></tr>\n", clamp_n(r->nsteps, MC_PROBE_MAX_STEPS),
		r->staircase ? " (staircase: each step lifts the limit that stopped the last)"
			     : "");
	fputs("<tr><th>duration</th><td>", f);
	put_num(f, r->seconds, 1);
	fprintf(f, " s</td></tr>\n<tr><th>exit code</th><td>%d</td></tr>\n</table>\n",
		exit_code);
}

/* ---------------------------------------------------------------- tables */

static void td_count(FILE *f, uint64_t n)
{
	fputs("<td class=\"n\">", f);
	put_count(f, n);
	fputs("</td>", f);
}

static void td_num(FILE *f, double v, int decimals)
{
	fputs("<td class=\"n\">", f);
	put_num(f, v, decimals);
	fputs("</td>", f);
}

/* The staircase in two tables with a row a step: what each step ran (its
 * scenario), then what it predicted and measured. */
static void table_steps(FILE *f, const struct mc_probe_report *r)
{
	int n = clamp_n(r->nsteps, MC_PROBE_MAX_STEPS);

	fputs("<h2 id=\"steps\">Steps</h2>\n", f);
	if (n == 0) {
		fputs("<p>No step ran.</p>\n", f);
		return;
	}
	fputs("<h3>What each step ran</h3>\n<table id=\"scenario-table\">\n<tr><th>step</th>"
	      "<th>model</th><th>source addresses</th><th>dest ports</th><th>local port range</th>"
	      "<th>fd limit</th><th>fd tables</th><th>backlog</th><th>target</th></tr>\n",
	      f);
	for (int i = 0; i < n; i++) {
		const struct mc_probe_scenario *sc = &r->steps[i].sc;

		fprintf(f, "<tr><td class=\"n\">%d</td><td>%s</td>", i + 1,
			mc_model_name(sc->model));
		td_count(f, sc->sources);
		td_count(f, sc->dest_ports);
		fprintf(f, "<td class=\"n\">%" PRIu64 "-%" PRIu64 "</td>", sc->port_lo,
			sc->port_hi);
		td_count(f, sc->fd_limit);
		fprintf(f, "<td>%s</td>", sc->one_table ? "one per process" : "private per worker");
		td_count(f, sc->backlog);
		if (none(sc->target))
			fputs("<td>max</td></tr>\n", f);
		else {
			td_count(f, sc->target);
			fputs("</tr>\n", f);
		}
	}
	fputs("</table>\n<h3>What each step reached</h3>\n<table id=\"steps-table\">\n<tr>"
	      "<th>step</th><th>predicted (limit)</th><th>reached</th><th>diff</th>"
	      "<th>seconds</th><th>connects/s</th><th>stop</th><th>limit</th><th>happened</th>"
	      "<th>lifted for the next step</th></tr>\n",
	      f);
	for (int i = 0; i < n; i++) {
		const struct mc_probe_step *s = &r->steps[i];

		fprintf(f, "<tr><td class=\"n\">%d</td><td class=\"n\">", i + 1);
		put_count(f, s->predicted);
		PUT_SET(f, " (", s->predicted_limit, ")");
		fputs("</td>", f);
		td_count(f, s->reached);
		fputs("<td class=\"n\">", f);
		put_pct(f, s->diff_pct);
		fputs("</td>", f);
		td_num(f, s->seconds, 2);
		td_num(f, s->rate, 0);
		fprintf(f, "<td>%s</td><td>", mc_probe_stop_str(s->stop));
		PUT_SET(f, "<code>", s->limit_id, "</code> ");
		PUT(f, "", s->limit_name, "</td>");
		PUT(f, "<td>", s->happened, "</td>");
		PUT(f, "<td>", s->lifted, "</td></tr>\n");
	}
	fputs("</table>\n", f);
}

static void list_evidence(FILE *f, const struct mc_probe_report *r)
{
	int n = clamp_n(r->nsteps, MC_PROBE_MAX_STEPS);

	fputs("<h2 id=\"evidence\">Evidence</h2>\n", f);
	if (n == 0)
		fputs("<p>No step ran.</p>\n", f);
	for (int i = 0; i < n; i++) {
		const struct mc_probe_step *s = &r->steps[i];
		int ne = clamp_n(s->nev, MC_PROBE_MAX_EVIDENCE);

		fprintf(f, "<h3>Step %d: %s", i + 1, mc_probe_stop_str(s->stop));
		PUT_SET(f, " <code>", s->limit_id, "</code>");
		fputs("</h3>\n", f);
		if (ne == 0) {
			fputs("<p>No evidence recorded.</p>\n", f);
			continue;
		}
		fprintf(f, "<ul class=\"evidence\" id=\"evidence-%d\">\n", i + 1);
		for (int j = 0; j < ne; j++) {
			const struct mc_probe_evidence *e = &s->ev[j];
			char b[32];

			PUT(f, "<li><code>", e->what, "</code> ");
			fprintf(f, "<strong>%s</strong>",
				e->unreadable ? "unreadable" : mc_fmt_thousands(e->value, b, sizeof(b)));
			PUT_SET(f, ": ", e->text, "");
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
}

static void mem_row(FILE *f, const char *what, double bytes)
{
	fprintf(f, "<tr><th>%s</th>", what);
	td_num(f, bytes, 0);
	fputs("</tr>\n", f);
}

static void table_memory(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_step *m = mc_probe_memory_step(r);
	const struct mc_probe_slab *s = &m->slab;

	fputs("<h2 id=\"memory\">Memory</h2>\n<table id=\"memory-table\">\n", f);
	if (s->from == MC_PROBE_KMEM_SLABINFO || s->from == MC_PROBE_KMEM_OBJECTS) {
		fputs(s->from == MC_PROBE_KMEM_SLABINFO
			  ? "<tr><th colspan=\"2\">kernel bytes per socket, by slab cache</th></tr>\n"
			  : "<tr><th colspan=\"2\">kernel bytes per socket, from the slab caches' "
			    "object sizes: other work on this kernel moved the caches (TCP by more "
			    "or fewer objects than the probe's sockets), so their growth was not "
			    "the probe's</th></tr>\n",
		      f);
		mem_row(f, "TCP", s->tcp);
		mem_row(f, "sock_inode_cache", s->sock_inode);
		mem_row(f, "dentry", s->dentry);
		mem_row(f, "filp", s->filp);
		mem_row(f, "epoll (epitem, eventpoll_pwq)", s->epoll);
		mem_row(f, "other", s->other);
		mem_row(f, "total", s->total);
		fputs("<tr><th>sockets measured</th>", f);
		td_count(f, s->sockets);
		fputs("</tr>\n", f);
	} else if (s->from == MC_PROBE_KMEM_MEMINFO) {
		fputs("<tr><th>kernel bytes per socket, from meminfo's Slab + KernelStack + "
		      "PageTables growth (/proc/slabinfo needs root)</th>",
		      f);
		td_num(f, s->total, 0);
		fputs("</tr>\n", f);
	} else {
		fputs("<tr><th>kernel bytes per socket</th><td>unknown: /proc/slabinfo was not "
		      "readable (it needs root) and meminfo's Slab did not grow</td></tr>\n",
		      f);
	}
	fputs("<tr><th colspan=\"2\">user bytes per connection (RSS growth)</th></tr>\n", f);
	mem_row(f, "server", m->user_per_conn_server);
	mem_row(f, "client", m->user_per_conn_client);
	fputs("<tr><th>MemAvailable at the end</th><td class=\"n\">", f);
	put_bytes(f, m->mem_available_end);
	fputs("</td></tr>\n<tr><th>reserve kept</th><td class=\"n\">", f);
	put_bytes(f, r->reserve);
	fputs("</td></tr>\n<tr><th>projection: more connections memory allows</th>", f);
	if (m->more_conns == MC_LIMITS_NONE)
		fputs("<td>unknown</td>", f);
	else
		td_count(f, m->more_conns);
	fputs("</tr>\n</table>\n", f);
}

static void table_limits(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_step *s = mc_probe_last(r);
	int n = clamp_n(s->nlimits, MC_PROBE_MAX_LIMITS);

	fputs("<h2 id=\"limits\">Limits (last step)</h2>\n", f);
	if (n == 0) {
		fputs("<p>No limits were judged.</p>\n", f);
		return;
	}
	fputs("<table id=\"limits-table\">\n<tr><th>id</th><th>name</th><th>value</th>"
	      "<th>connections it allows</th><th>binding</th></tr>\n",
	      f);
	for (int i = 0; i < n; i++) {
		const struct mc_probe_limit *l = &s->limits[i];

		fprintf(f, "<tr%s>", l->binding ? " class=\"binding\"" : "");
		PUT(f, "<td><code>", l->id, "</code></td>");
		PUT(f, "<td>", l->name, "</td>");
		PUT(f, "<td>", l->value, "</td>");
		td_count(f, l->conns);
		fprintf(f, "<td>%s</td></tr>\n", l->binding ? "binding" : "");
	}
	fputs("</table>\n", f);
}

/* A row with a number (n/a when unknown) and its unit. */
static void num_row(FILE *f, const char *what, double v, int decimals, const char *unit)
{
	fprintf(f, "<tr><th>%s</th><td class=\"n\">", what);
	put_num(f, v, decimals);
	fprintf(f, "%s%s</td></tr>\n", isfinite(v) && unit[0] ? " " : "", isfinite(v) ? unit : "");
}

/* A row with an amount of memory ("24.0 GiB"), unknown when not finite. */
static void bytes_row(FILE *f, const char *what, double v)
{
	fprintf(f, "<tr><th>%s</th><td class=\"n\">", what);
	if (isfinite(v) && v >= 0)
		put_bytes(f, mc_fmt_u64(v));
	else
		fputs("unknown", f);
	fputs("</td></tr>\n", f);
}

/* --window: what the held connections cost while they sent heartbeats. */
static void table_steady(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_steady *w = &mc_probe_last(r)->steady;

	if (!w->ran)
		return;
	fputs("<h2 id=\"steady\">Steady state (--window)</h2>\n<table id=\"steady-table\">\n", f);
	num_row(f, "window", w->seconds, 1, "s");
	num_row(f, "settled for, after all were up", w->settle_s, 1, "s");
	fputs("<tr><th>connections held</th>", f);
	td_count(f, w->conns);
	fputs("</tr>\n", f);
	if (w->heartbeat_s > 0) {
		num_row(f, "heartbeat, each connection", w->heartbeat_s, 3, "s");
		num_row(f, "messages sent per second", w->sent_per_s, 0, "");
		num_row(f, "messages echoed per second", w->msgs_per_s, 0, "");
		if (w->rtt_count) {
			num_row(f, "round trip p50 (from when each was due)", w->rtt_p50_us, 0, "µs");
			num_row(f, "round trip p99", w->rtt_p99_us, 0, "µs");
			num_row(f, "round trip max", w->rtt_max_us, 0, "µs");
		}
	}
	if (w->server) {
		num_row(f, "server CPU", w->cpu_ms, 1, "ms");
		num_row(f, "server CPU per 1,000 messages", w->cpu_ms_per_1k, 2, "ms");
		num_row(f, "server context switches per second", w->ctx_per_s, 0, "");
		fputs("<tr><th>server threads</th>", f);
		td_count(f, w->threads);
		fputs("</tr>\n", f);
	}
	num_row(f, "server user bytes per connection", w->user_per_conn, 1, "B");
	num_row(f, "slab bytes per connection (both ends)", w->slab_per_conn, 0, "B");
	num_row(f, "kernel stack + page tables per connection", w->kstack_pt_per_conn, 0, "B");
	fputs("</table>\n", f);
}

/* --target-addr: the server host's side (--server-metrics), or why it is
 * unknown. */
static void table_server_host(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_server_host *h = &mc_probe_last(r)->srv_host;

	if (!r->target_addr[0])
		return;
	fputs("<h2 id=\"server-host\">Server host</h2>\n", f);
	if (!h->known) {
		PUT(f, "<p id=\"server-host-unknown\">Unknown: ", h->error,
		    ". Pass <code>--server-metrics URL</code>: the server host&#39;s node_exporter "
		    "(http://HOST:9100/metrics) or a maxconn server&#39;s --metrics.</p>\n");
		return;
	}
	fputs("<table id=\"server-host-table\">\n", f);
	PUT(f, "<tr><th>from</th><td>", h->source, "</td></tr>\n");
	PUT_SET(f, "<tr><th>not used</th><td>", h->error, "</td></tr>\n");
	num_row(f, "TCP sockets in use there before the step", h->sockets_before, 0, "");
	num_row(f, "TCP sockets in use there at the top", h->sockets, 0, "");
	if (isfinite(h->held))
		num_row(f, "connections the maxconn server holds", h->held, 0, "");
	num_row(f, "kernel bytes per socket there", h->kernel_per_socket, 0, "B");
	PUT_SET(f, "<tr><th>measured by</th><td>", h->kernel_method, "</td></tr>\n");
	if (isfinite(h->user_per_conn))
		num_row(f, "server user bytes per connection", h->user_per_conn, 1, "B");
	bytes_row(f, "memory there", h->mem_total);
	bytes_row(f, "MemAvailable there", h->mem_available);
	bytes_row(f, "reserve kept there", h->reserve);
	num_row(f, "projection: more connections its memory allows", h->more_conns, 0, "");
	fputs("</table>\n", f);
}

/* ------------------------------------------------------------------ page */

int mc_probe_html(FILE *f, const struct mc_probe_report *r, int exit_code)
{
	html_head(f, r);
	html_summary(f, r, exit_code);
	fputs("<h2 id=\"charts\">Charts</h2>\n", f);
	chart_conns(f, r);
	chart_memory(f, r);
	chart_limits(f, r);
	table_steps(f, r);
	list_evidence(f, r);
	table_memory(f, r);
	table_steady(f, r);
	table_server_host(f, r);
	table_limits(f, r);
	fputs("<p class=\"foot\">Written by <code>maxconn probe --html</code>: one file, no "
	      "scripts, no network needed.</p>\n</body>\n</html>\n",
	      f);
	if (fflush(f) != 0)
		return errno ? -errno : -EIO;
	return ferror(f) ? -EIO : 0;
}
