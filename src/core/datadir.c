/* Shipped labs and tours, found by name (datadir.h). */
#include "bindscope/datadir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindscope/textbuf.h"

#ifndef BINDSCOPE_SOURCE_DATADIR
#define BINDSCOPE_SOURCE_DATADIR ""
#endif
#ifndef BINDSCOPE_INSTALL_DATADIR
#define BINDSCOPE_INSTALL_DATADIR ""
#endif

#define MAX_DIRS 4

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The places to look, in order; returns how many. */
static size_t data_dirs(char dirs[MAX_DIRS][PATH_MAX])
{
	const char *env = getenv("BINDSCOPE_DATADIR");
	char exe[PATH_MAX];
	ssize_t n;
	size_t count = 0;

	if (env != NULL && env[0] != '\0')
		snprintf(dirs[count++], PATH_MAX, "%.*s", PATH_MAX - 1, env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (strrchr(exe, '/') != NULL)
			*strrchr(exe, '/') = '\0';
		if (snprintf(dirs[count], PATH_MAX, "%s/../share/bindscope", exe) < PATH_MAX)
			count++;
	}
	if (BINDSCOPE_SOURCE_DATADIR[0] != '\0')
		snprintf(dirs[count++], PATH_MAX, "%s", BINDSCOPE_SOURCE_DATADIR);
	if (BINDSCOPE_INSTALL_DATADIR[0] != '\0')
		snprintf(dirs[count++], PATH_MAX, "%s", BINDSCOPE_INSTALL_DATADIR);
	return count;
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void bs_data_list(const char *kind, const char *suffix, char *buf, size_t len)
{
	char dirs[MAX_DIRS][PATH_MAX], path[PATH_MAX + 16], *names[64];
	size_t ndirs = data_dirs(dirs), n = 0, more = 0;
	DIR *dir = NULL;
	struct dirent *e;

	buf[0] = '\0';
	for (size_t d = 0; d < ndirs && dir == NULL; d++)
		if (snprintf(path, sizeof(path), "%s/%s", dirs[d], kind) < (int)sizeof(path))
			dir = opendir(path); /* the first place that has them */
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		if (!has_suffix(e->d_name, suffix))
			continue;
		if (n == sizeof(names) / sizeof(names[0]) ||
		    (names[n] = strndup(e->d_name, strlen(e->d_name) - strlen(suffix))) == NULL)
			more++;
		else
			n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		bs_textbuf_appendf(buf, len, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	if (more > 0)
		bs_textbuf_appendf(buf, len, " and %zu more", more);
}

int bs_data_find(const char *kind, const char *suffix, const char *name, char *out, size_t len,
                 struct bs_error *err)
{
	char dirs[MAX_DIRS][PATH_MAX], names[512], shown[4 * BS_TEXT_ABBREV_MAX + 32];
	const char *what = strcmp(kind, "tours") == 0 ? "tour" : "lab";
	size_t ndirs;

	struct stat st;

	/* A path, a file here, or a name that cannot be one of ours (too long, unreadable): the
	 * loader says what is wrong with it as a file. */
	if (strchr(name, '/') != NULL || is_file(name) ||
	    (stat(name, &st) < 0 && errno != ENOENT)) {
		if ((size_t)snprintf(out, len, "%s", name) >= len)
			return bs_error_set(err, ENAMETOOLONG, "the path is too long");
		return 0;
	}
	ndirs = data_dirs(dirs);
	for (size_t d = 0; d < ndirs; d++) {
		char dir[PATH_MAX + 16];
		snprintf(dir, sizeof(dir), "%s/%s", dirs[d], kind);
		if (!is_dir(dir))
			continue;
		if ((size_t)snprintf(out, len, "%s/%s%s", dir, name,
		                     has_suffix(name, suffix) ? "" : suffix) < len &&
		    is_file(out))
			return 0;
	}
	bs_text_abbrev(name, shown, sizeof(shown));
	bs_data_list(kind, suffix, names, sizeof(names));
	if (names[0] == '\0')
		return bs_error_set(
		    err, ENOENT,
		    "no file %s, and no shipped %ss were found to look for one of that "
		    "name (looked in $BINDSCOPE_DATADIR, share/bindscope beside "
		    "bindscope, %s and %s): give a file's path",
		    shown, what, BINDSCOPE_SOURCE_DATADIR, BINDSCOPE_INSTALL_DATADIR);
	return bs_error_set(err, ENOENT,
	                    "no file %s and no shipped %s of that name: the shipped %ss are %s (or "
	                    "give a file's path)",
	                    shown, what, what, names);
}
