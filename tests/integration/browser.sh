#!/usr/bin/env bash
# tests/integration/browser.sh: render a `maxconn probe --html` page in
# Debian's headless chromium and check what a reader would see. A helper for
# tests (not a test itself: run.sh only runs test_*.sh).
#
#   browser.sh PAGE.html OUT.png [ID=TEXT | TEXT]...
#
# It writes a screenshot of PAGE to OUT.png (window MC_WINDOW, default
# 1280,2400), dumps the DOM chromium built from the page, and checks:
#   - the three charts (svg#chart-conns, #chart-memory, #chart-limits) are
#     in it, each with at least one drawn data element (a polyline or path
#     with points, a rect with a width, a circle), and no NaN or infinity in
#     any attribute of them;
#   - each ID=TEXT: the element with that id shows TEXT (or has
#     data-value="TEXT"); thousands separators are ignored, so reached=120000
#     matches "120,000";
#   - each plain TEXT: the page's text contains it;
#   - the screenshot is a PNG that is not blank.
#
# MC_CHROMIUM names the browser to use (default: chromium, chromium-browser or
# google-chrome, the first on PATH).
#
# Exit: 0 all checks passed, 1 a check failed (each failure is named),
# 2 usage, 77 chromium is not installed (apt-get install chromium).
set -uo pipefail

me=browser.sh
usage() {
	echo "usage: $me PAGE.html OUT.png [ID=TEXT | TEXT]..." >&2
	exit 2
}
[ $# -ge 2 ] || usage
page=$1 png=$2
shift 2
[ -r "$page" ] || { echo "$me: cannot read $page" >&2; exit 2; }

chrome=
for c in ${MC_CHROMIUM:-chromium chromium-browser google-chrome}; do
	if command -v "$c" >/dev/null 2>&1; then
		chrome=$c
		break
	fi
done
if [ -z "$chrome" ]; then
	echo "$me: SKIP: chromium is not installed (apt-get install chromium fonts-dejavu-core)" >&2
	exit 77
fi

url="file://$(realpath "$page")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
	echo "$me: FAIL: $*" >&2
	fails=$((fails + 1))
}

# One chromium run, bounded in time, with a profile of its own (nothing in
# $HOME); its stderr (dbus noise when there is no session bus) is shown only
# when it fails.
run_chrome() {
	timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$tmp/profile" --window-size="${MC_WINDOW:-1280,2400}" "$@" "$url" \
		2>"$tmp/chrome.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "$me: $chrome exited $rc; its last messages:" >&2
		tail -5 "$tmp/chrome.err" >&2
	fi
	return $rc
}

t0=$(date +%s.%N)
rm -f "$png"
run_chrome --screenshot="$png" >/dev/null || fail "screenshot of $page"
t1=$(date +%s.%N)
run_chrome --dump-dom >"$tmp/dom.html" || fail "DOM of $page"
t2=$(date +%s.%N)

# The screenshot: a PNG, and not a blank page (a white 1280x2400 PNG is a few
# KiB; a page with three charts is well over 50 KiB).
if [ ! -s "$png" ]; then
	fail "no screenshot at $png"
elif [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
	fail "$png is not a PNG"
else
	size=$(stat -c %s "$png")
	[ "$size" -ge 20000 ] || fail "$png is $size bytes: the page looks blank"
fi

# The DOM on one line, so an element split over lines still matches.
tr '\n' ' ' <"$tmp/dom.html" >"$tmp/dom1"
[ -s "$tmp/dom1" ] || fail "chromium gave an empty DOM for $page"

summary=
for id in chart-conns chart-memory chart-limits; do
	svg=$(grep -oP "<svg[^>]*\bid=\"$id\".*?</svg>" "$tmp/dom1" | head -1)
	if [ -z "$svg" ]; then
		fail "no <svg id=\"$id\"> in the rendered page"
		continue
	fi
	drawn=$(grep -oP '<polyline[^>]*\bpoints="[^"]*[0-9][^"]*"|<path[^>]*\bd="[^"]*[0-9][^"]*"|<rect[^>]*\bwidth="(?!0(\.0*)?")[0-9.]+"|<circle[^>]*\br="[1-9]' <<<"$svg" | wc -l)
	[ "$drawn" -gt 0 ] || fail "svg#$id draws no data (no polyline, path, bar or dot)"
	bad=$(grep -oiP '="[^"]*\b(nan|-?inf(inity)?)\b[^"]*"' <<<"$svg" | head -1)
	[ -z "$bad" ] || fail "svg#$id has a non-finite attribute: ${bad:0:80}"
	summary+=" $id:$drawn"
done

# The figures the caller expects.
sed -e 's/<[^>]*>/ /g' "$tmp/dom1" >"$tmp/text"
for want in "$@"; do
	if [[ $want =~ ^([A-Za-z][A-Za-z0-9_-]*)=(.*)$ ]]; then
		id=${BASH_REMATCH[1]} text=${BASH_REMATCH[2]}
		el=$(grep -oP "<[a-z]+[^>]*\bid=\"$id\"[^>]*>[^<]*" "$tmp/dom1" | head -1)
		if [ -z "$el" ]; then
			fail "no element with id=\"$id\" (wanted \"$text\")"
			continue
		fi
		shown=${el##*>}
		value=$(grep -oP 'data-value="\K[^"]*' <<<"$el" | head -1)
		if [ "$value" != "$text" ] && [[ ${shown//,/} != *"${text//,/}"* ]]; then
			fail "#$id shows \"$shown\" (data-value \"$value\"), wanted \"$text\""
		fi
	elif ! grep -qF -- "$want" "$tmp/text"; then
		fail "the page does not show \"$want\""
	fi
done

if [ $fails -gt 0 ]; then
	echo "$me: $fails check(s) failed for $page (screenshot: $png)" >&2
	exit 1
fi
printf '%s: ok: %s drawn elements per chart:%s; %d figure(s) found; screenshot %s (%s bytes) in %.2f s, DOM in %.2f s\n' \
	"$me" "$page" "$summary" $# "$png" "$(stat -c %s "$png")" \
	"$(awk "BEGIN{print $t1 - $t0}")" "$(awk "BEGIN{print $t2 - $t1}")"
