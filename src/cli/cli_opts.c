#include "cli_opts.h"

#include "bindscope/textbuf.h"

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cli_util.h"

int cli_parse_uint(const char *cmd, const char *name, const char *text, unsigned min, unsigned max,
                   unsigned *out)
{
	char *end, shown[4 * BS_TEXT_ABBREV_MAX + 32];
	unsigned long v;

	bs_text_abbrev(text, shown, sizeof(shown));
	if (text[0] < '0' || text[0] > '9') {
		cli_usage_error(cmd, "%s '%s' is not a number: use a whole number from %u to %u",
		                name, shown, min, max);
		return -1;
	}
	v = strtoul(text, &end, 10);
	if (*end != '\0' || v < min || v > max) {
		cli_usage_error(cmd, "%s '%s' is out of range: use a whole number from %u to %u",
		                name, shown, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cli_parse_endpoint(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep)
{
	struct bs_error err;

	if (bs_endpoint_parse(text, ifaces, ep, &err) == 0)
		return 0;
	cli_error_show(&err);
	return -1;
}

/* "HH:MM:SS.mmm". The clock fields are worked out once a second (a listener stamps two
 * lines per connection); the milliseconds are written by hand. */
void cli_timestamp(char *buf, size_t len)
{
	static time_t last = -1;
	static char hms[16];
	struct timeval tv;
	struct tm tm;
	char out[16];
	long ms;

	gettimeofday(&tv, NULL);
	if (tv.tv_sec != last) {
		localtime_r(&tv.tv_sec, &tm);
		snprintf(hms, sizeof(hms), "%02d:%02d:%02d.", tm.tm_hour % 100, tm.tm_min % 100,
		         tm.tm_sec % 100);
		last = tv.tv_sec;
	}
	ms = (long)tv.tv_usec / 1000;
	memcpy(out, hms, 9);
	out[9] = (char)('0' + ms / 100 % 10);
	out[10] = (char)('0' + ms / 10 % 10);
	out[11] = (char)('0' + ms % 10);
	out[12] = '\0';
	snprintf(buf, len, "%s", out);
}

int cli_parse_address(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep)
{
	char with_port[BS_ENDPOINT_INPUT_MAX + 8], shown[4 * BS_TEXT_ABBREV_MAX + 32];
	struct bs_error err;

	bs_text_abbrev(text, shown, sizeof(shown));
	if (strlen(text) > BS_ENDPOINT_INPUT_MAX) {
		cli_error(
		    "'%s' is too long to be an address (at most %d characters): write one such "
		    "as 127.0.0.1, ::1 or wlan0",
		    shown, BS_ENDPOINT_INPUT_MAX);
		return -1;
	}
	/* Reuse the endpoint parser (and its sentences) with a placeholder port. */
	if (strchr(text, ':') != NULL && text[0] != '[')
		snprintf(with_port, sizeof(with_port), "[%s]:1", text);
	else
		snprintf(with_port, sizeof(with_port), "%s:1", text);
	if (text[0] != '\0' && bs_endpoint_parse(with_port, ifaces, ep, &err) == 0)
		return 0;
	if (text[0] == '\0')
		cli_error("no address given: write one such as 127.0.0.1, ::1 or wlan0");
	else
		cli_error("'%s' is not an address or interface of this machine (write e.g. "
		          "127.0.0.1, ::1 or wlan0): %s",
		          shown, err.msg);
	return -1;
}

int cli_parse_device(const char *cmd, const char *text, char *out, size_t len)
{
	struct if_nameindex *names, *n;
	char list[512] = "", safe[4 * IF_NAMESIZE], given[64];
	size_t count = 0, shown = 0;

	if (strlen(text) < IF_NAMESIZE && if_nametoindex(text) != 0) {
		snprintf(out, len, "%s", text);
		return 0;
	}
	names = if_nameindex();
	for (n = names; n != NULL && n->if_index != 0; n++, count++) {
		bs_text_safe(n->if_name, safe, sizeof(safe)); /* a name may hold control bytes */
		if (strlen(list) + strlen(safe) + 40 < sizeof(list)) {
			bs_textbuf_appendf(list, sizeof(list), "%s%s", list[0] ? ", " : "", safe);
			shown++;
		}
	}
	if (count > shown) /* never a silent cut */
		bs_textbuf_appendf(list, sizeof(list), ", and %zu more (bindscope list)",
		                   count - shown);
	if (names != NULL)
		if_freenameindex(names);
	bs_text_safe(text, given, sizeof(given));
	cli_usage_error(cmd, "--device %s: no interface of that name here (its interfaces: %s)",
	                given, list[0] ? list : "none");
	return -1;
}
