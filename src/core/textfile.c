/* Small text files the user names (textfile.h). */
#include "bindscope/textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *bs_textfile_read(const char *path, const char *shown, const char *what, const char *example,
                       size_t max, struct bs_error *err)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *text;
	size_t n;

	if (f == NULL) {
		bs_error_set(err, errno, "cannot read the %s %s: %s", what, shown, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		bs_error_set(err, EISDIR, "the %s %s is a directory: give a file, such as %s", what,
		             shown, example);
		return NULL;
	}
	if ((text = malloc(max + 2)) == NULL) {
		fclose(f);
		bs_error_set(err, ENOMEM, "out of memory reading the %s %s", what, shown);
		return NULL;
	}
	n = fread(text, 1, max + 1, f);
	fclose(f);
	text[n] = '\0';
	if (n > max)
		bs_error_set(err, 0, "the %s %s is too large (%zu KiB at most)", what, shown,
		             max / 1024);
	else if (strlen(text) != n)
		bs_error_set(err, 0, "the %s %s is not text (it holds a NUL byte)", what, shown);
	else
		return text;
	free(text);
	return NULL;
}
