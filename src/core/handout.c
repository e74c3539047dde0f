/* Handouts of the exposure matrix, in Markdown or HTML (handout.h). */
#include "bindscope/handout.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "bindscope/firewall.h"
#include "bindscope/textbuf.h"

#define WORDS_MAX 4096

struct out {
	FILE *f;
	enum bs_handout_format fmt;
};

/* Text from outside, made safe for the format: control bytes as \ooo, then the format's own
 * characters quoted (HTML's & < > " ', or Markdown's | ` * _ [ ] < > \ in running text). */
static void put(const struct out *o, const char *text)
{
	static char safe[4 * WORDS_MAX];

	bs_text_safe(text, safe, sizeof(safe));
	for (const char *s = safe; *s; s++) {
		if (o->fmt == BS_HANDOUT_HTML) {
			switch (*s) {
			case '&':
				fputs("&amp;", o->f);
				continue;
			case '<':
				fputs("&lt;", o->f);
				continue;
			case '>':
				fputs("&gt;", o->f);
				continue;
			case '"':
				fputs("&quot;", o->f);
				continue;
			case '\'':
				fputs("&#39;", o->f);
				continue;
			}
		} else if (strchr("|`*_[]<>\\", *s) != NULL) {
			fputc('\\', o->f);
		}
		fputc(*s, o->f);
	}
}

/* A command to copy: in Markdown a code span (its backticks cannot be in it: they are
 * quoted as text instead), in HTML <code>. */
static void put_code(const struct out *o, const char *cmd)
{
	if (o->fmt == BS_HANDOUT_HTML) {
		fputs("<code>", o->f);
		put(o, cmd);
		fputs("</code>", o->f);
	} else if (strchr(cmd, '`') == NULL) {
		static char safe[4 * WORDS_MAX];
		bs_text_safe(cmd, safe, sizeof(safe));
		fprintf(o->f, "`%s`", safe);
	} else {
		put(o, cmd);
	}
}

static const char *look_class(enum bs_cell_look look)
{
	static const char *const names[] = {
	    [BS_LOOK_NONE] = "none",       [BS_LOOK_OPEN] = "open",       [BS_LOOK_OTHER] = "other",
	    [BS_LOOK_REFUSED] = "refused", [BS_LOOK_UNKNOWN] = "unknown", [BS_LOOK_BAD] = "bad",
	};
	return names[look];
}

static const char style[] =
    "<style>\n"
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}\n"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .6em;"
    "text-align:left;vertical-align:top}\ntd{white-space:nowrap}\n"
    "th{background:#eee}th small{font-weight:normal;color:#555}\n"
    "td.open{background:#c8f0c8}td.other{background:#d4e4ff}td.refused{background:#eee;"
    "color:#555}\n"
    "td.unknown{background:#fff2b3}td.bad{background:#f8c8c8}td.none{color:#888}\n"
    "td.disagree{outline:3px solid #c00;outline-offset:-3px;font-weight:bold}\n"
    "code{background:#f4f4f4;padding:0 .2em}li{margin:.25em 0}\n"
    ".legend span{padding:0 .5em;margin-right:.5em}\n"
    "</style>\n";

static void title(const struct out *o, const struct bs_handout *h)
{
	if (o->fmt == BS_HANDOUT_HTML) {
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>",
		      o->f);
		fputs("Who can reach these sockets: ", o->f);
		put(o, h->title);
		fprintf(o->f,
		        "</title>\n%s</head><body>\n<h1>Who can reach these sockets</h1>\n<p>",
		        style);
		put_code(o, h->title);
		fputs(" &mdash; ", o->f);
		put(o, h->when);
		fputs("</p>\n<p class=\"legend\">"
		      "<span style=\"background:#c8f0c8\">open: this row's socket took it</span>"
		      "<span style=\"background:#d4e4ff\">&rarr; #N: socket #N took it</span>"
		      "<span style=\"background:#eee\">refused: a reset, or ICMP port "
		      "unreachable</span>"
		      "<span style=\"background:#f8c8c8\">timeout (no answer), unreach (no route), "
		      "prohibited (a firewall's ICMP)</span>"
		      "<span style=\"background:#fff2b3\">open|filtered (UDP silence); ? the host "
		      "could not probe</span>"
		      "<span style=\"outline:3px solid #c00\">! the kernel did not do what was "
		      "predicted</span></p>\n",
		      o->f);
		return;
	}
	fputs("# Who can reach these sockets\n\n", o->f);
	put_code(o, h->title);
	fputs(" — ", o->f);
	put(o, h->when);
	fputs("\n\nEach cell is one connection (or datagram) to the column's address, from the "
	      "column's host: ✓ open (this row's socket took it), → #N (socket #N took it), ✗ "
	      "refused (a reset, or ICMP port unreachable), … timeout (no answer), ⊘ unreach (no "
	      "route) or prohibited (a firewall's ICMP), ? open|filtered (UDP silence) or a host "
	      "that could not probe; ! marks a cell where the kernel did not do what was "
	      "predicted.\n",
	      o->f);
}

/* "eth0 192.168.0.110", "0.0.0.0", "from eth0-peer 192.168.1.10": the name once. */
static void col_name(const struct bs_matrix_col *col, char *buf, size_t len)
{
	if (strcmp(col->label, col->text) == 0)
		snprintf(buf, len, "%s", col->label);
	else
		snprintf(buf, len, "%s %s", col->label, col->text);
}

static void column_head(const struct out *o, const struct bs_matrix *m, size_t c)
{
	const struct bs_matrix_col *col = bs_matrix_col(m, c);
	bool same = strcmp(col->label, col->text) == 0;

	if (o->fmt == BS_HANDOUT_HTML) {
		fputs("<th>", o->f);
		put(o, col->label);
		if (!same) {
			fputs("<br><small>", o->f);
			put(o, col->text);
			fputs("</small>", o->f);
		}
		fputs("</th>", o->f);
	} else {
		char name[BS_MATRIX_LABEL_MAX + BS_ENDPOINT_TEXT_MAX + 2];
		col_name(col, name, sizeof(name));
		fputs(" ", o->f);
		put(o, name);
		fputs(" |", o->f);
	}
}

static void matrix_table(const struct out *o, const struct bs_matrix *m)
{
	char label[256], word[128];
	size_t ncols = bs_matrix_ncols(m);

	if (o->fmt == BS_HANDOUT_HTML)
		fputs("<h2>The matrix</h2>\n<table>\n<tr><th>socket</th>", o->f);
	else
		fputs("\n## The matrix\n\n| socket |", o->f);
	for (size_t c = 0; c < ncols; c++)
		column_head(o, m, c);
	if (o->fmt == BS_HANDOUT_HTML) {
		fputs("</tr>\n", o->f);
	} else {
		fputs("\n| --- |", o->f);
		for (size_t c = 0; c < ncols; c++)
			fputs(" --- |", o->f);
		fputs("\n", o->f);
	}
	for (size_t r = 0; r < bs_matrix_nrows(m); r++) {
		bs_matrix_row_label(m, r, label, sizeof(label));
		fputs(o->fmt == BS_HANDOUT_HTML ? "<tr><th>" : "| ", o->f);
		put(o, label);
		fputs(o->fmt == BS_HANDOUT_HTML ? "</th>" : " |", o->f);
		for (size_t c = 0; c < ncols; c++) {
			struct bs_matrix_cell cell;
			enum bs_cell_look look =
			    bs_matrix_cell_word(m, r, c, true, word, sizeof(word));
			bs_matrix_cell(m, r, c, &cell);
			if (o->fmt == BS_HANDOUT_HTML) {
				fprintf(o->f, "<td class=\"%s%s\">", look_class(look),
				        cell.disagree ? " disagree" : "");
				put(o, word);
				fputs("</td>", o->f);
			} else {
				fputs(" ", o->f);
				put(o, word);
				fputs(" |", o->f);
			}
		}
		fputs(o->fmt == BS_HANDOUT_HTML ? "</tr>\n" : "\n", o->f);
	}
	if (o->fmt == BS_HANDOUT_HTML)
		fputs("</table>\n", o->f);
}

static void item_start(const struct out *o)
{
	fputs(o->fmt == BS_HANDOUT_HTML ? "<li>" : "- ", o->f);
}

static void item_end(const struct out *o)
{
	fputs(o->fmt == BS_HANDOUT_HTML ? "</li>\n" : "\n", o->f);
}

static void list_start(const struct out *o)
{
	fputs(o->fmt == BS_HANDOUT_HTML ? "<ul>\n" : "\n", o->f);
}

static void list_end(const struct out *o)
{
	if (o->fmt == BS_HANDOUT_HTML)
		fputs("</ul>\n", o->f);
}

static void heading(const struct out *o, const char *text)
{
	if (o->fmt == BS_HANDOUT_HTML) {
		fputs("<h3>", o->f);
		put(o, text);
		fputs("</h3>\n", o->f);
	} else {
		fputs("\n### ", o->f);
		put(o, text);
		fputs("\n", o->f);
	}
}

/* One socket: what it takes, the commands that make and show it, why each cell reads so. */
static void row_section(const struct out *o, const struct bs_handout *h, size_t r)
{
	static char words[WORDS_MAX];
	const struct bs_matrix *m = h->matrix;
	char who[512], head[640], word[128];

	bs_matrix_row_who(m, r, who, sizeof(who)); /* "#1 0.0.0.0:8081, socat (pid 42)" */
	heading(o, who);
	list_start(o);
	bs_matrix_row_summary(m, r, h->ifaces, words, sizeof(words));
	item_start(o);
	put(o, words);
	item_end(o);
	bs_matrix_row_socat(m, r, words, sizeof(words));
	if (words[0] != '\0') {
		item_start(o);
		put(o, "same as: ");
		put_code(o, words);
		item_end(o);
	}
	bs_matrix_row_ss(m, r, words, sizeof(words));
	item_start(o);
	put(o, "see it: ");
	put_code(o, words);
	item_end(o);
	for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
		const struct bs_matrix_col *col = bs_matrix_col(m, c);
		struct bs_matrix_cell cell;
		bs_matrix_cell(m, r, c, &cell);
		if (cell.state == BS_CELL_SKIPPED || cell.state == BS_CELL_PENDING)
			continue;
		bs_matrix_cell_word(m, r, c, true, word, sizeof(word));
		item_start(o);
		col_name(col, head, sizeof(head));
		bs_textbuf_appendf(head, sizeof(head), ": %s. ", word);
		put(o, head);
		bs_matrix_cell_why(m, r, c, words, sizeof(words));
		put(o, words);
		bs_matrix_probe_check(m, cell.probe, words, sizeof(words));
		if (words[0] != '\0') {
			put(o, " Check: ");
			put_code(o, words);
		}
		item_end(o);
	}
	list_end(o);
}

static void notes(const struct out *o, const struct bs_handout *h)
{
	static char words[WORDS_MAX];

	heading(o, "What this could and could not see");
	list_start(o);
	bs_fw_summary(bs_matrix_firewall(h->matrix), bs_matrix_firewall_why(h->matrix), words,
	              sizeof(words));
	item_start(o);
	put(o, words);
	item_end(o);
	item_start(o);
	put(o,
	    "From this host, connections to its own addresses travel over lo, so firewall rules "
	    "on other interfaces are not exercised; columns \"from HOST\" are measured from that "
	    "host, through its own network and routes. Other hosts' firewalls and the path "
	    "between are out of sight.");
	item_end(o);
	list_end(o);
}

static void log_section(const struct out *o, const struct bs_handout *h)
{
	if (h->log == NULL || h->nlog == 0)
		return;
	heading(o, "The log");
	list_start(o);
	for (size_t i = 0; i < h->nlog; i++) {
		item_start(o);
		put(o, h->log[i]);
		item_end(o);
	}
	list_end(o);
}

int bs_handout_write(FILE *f, enum bs_handout_format format, const struct bs_handout *h,
                     struct bs_error *err)
{
	struct out o = {.f = f, .fmt = format};

	title(&o, h);
	matrix_table(&o, h->matrix);
	if (o.fmt == BS_HANDOUT_HTML)
		fputs("<h2>Each socket, and why each cell reads as it does</h2>\n", f);
	else
		fputs("\n## Each socket, and why each cell reads as it does\n", f);
	for (size_t r = 0; r < bs_matrix_nrows(h->matrix); r++)
		row_section(&o, h, r);
	notes(&o, h);
	log_section(&o, h);
	if (o.fmt == BS_HANDOUT_HTML)
		fputs("<p><small>Made by bindscope.</small></p>\n</body></html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return bs_error_set(err, errno, "cannot write the handout: %s", strerror(errno));
	return 0;
}

int bs_handout_format_parse(const char *text)
{
	if (strcmp(text, "markdown") == 0 || strcmp(text, "md") == 0)
		return BS_HANDOUT_MARKDOWN;
	if (strcmp(text, "html") == 0)
		return BS_HANDOUT_HTML;
	return -1;
}
