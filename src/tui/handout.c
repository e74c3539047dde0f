/*
 * `e`: the lesson as a handout. What is on the screen (the matrix, each socket and why each
 * cell reads as it does, the log) written as one HTML page to a file whose name the log says,
 * to print or hand out after the lab.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bindscope/handout.h"
#include "tui.h"

/* A new file in dir named base.html (base-2.html, ... when taken: never over a file); NULL
 * when dir takes none. */
static FILE *create_in(const char *dir, const char *base, char *path, size_t len)
{
	if (dir == NULL || dir[0] == '\0')
		return NULL;
	for (int k = 1; k < 100; k++) {
		FILE *f;
		int n = k == 1 ? snprintf(path, len, "%s/%s.html", dir, base)
		               : snprintf(path, len, "%s/%s-%d.html", dir, base, k);
		if (n < 0 || (size_t)n >= len)
			return NULL;
		if ((f = fopen(path, "wx")) != NULL || errno != EEXIST)
			return f;
	}
	return NULL;
}

void handout_write_file(struct tui *t)
{
	const char *dirs[] = {".", getenv("HOME"), "/tmp"};
	const char *log[TUI_LOG_LINES];
	char name[64], when[64], path[4096], line[8400], cwd[4096], full[8200];
	time_t now = time(NULL);
	struct bs_handout h = {.title = "the lesson in bindscope's explorer",
	                       .when = when,
	                       .matrix = bs_lesson_matrix(t->lesson),
	                       .ifaces = bs_lesson_ifaces(t->lesson),
	                       .log = log,
	                       .nlog = t->log_count};
	struct bs_error err;
	FILE *f = NULL;

	if (bs_lesson_listener_count(t->lesson) == 0) {
		tui_log(t,
		        "nothing to hand out yet: open a listener (Enter on an interface), then e");
		return;
	}
	strftime(name, sizeof(name), "bindscope-handout-%Y%m%d-%H%M%S", localtime(&now));
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	for (size_t i = 0; i < t->log_count; i++)
		log[i] = t->log[i];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && f == NULL; i++)
		f = create_in(dirs[i], name, path, sizeof(path));
	if (f == NULL) {
		snprintf(line, sizeof(line),
		         "cannot write the handout %s here, in $HOME or in /tmp (%s): cd to a "
		         "directory of yours and press e again",
		         name, strerror(errno));
		tui_log(t, line);
		return;
	}
	if (bs_handout_write(f, BS_HANDOUT_HTML, &h, &err) < 0) {
		fclose(f);
		unlink(path);
		snprintf(line, sizeof(line), "the handout was not written: %s", err.msg);
		tui_log(t, line);
		return;
	}
	if (fclose(f) != 0) {
		snprintf(line, sizeof(line), "the handout %s was not written whole: %s", path,
		         strerror(errno));
		tui_log(t, line);
		return;
	}
	if (path[0] == '.' && getcwd(cwd, sizeof(cwd)) != NULL)
		snprintf(full, sizeof(full), "%s%s", cwd, path + 1);
	else
		snprintf(full, sizeof(full), "%s", path);
	snprintf(line, sizeof(line),
	         "handout written: %s (the matrix, why each cell reads so, the log; open it in a "
	         "browser to print)",
	         full);
	tui_log(t, line);
}
