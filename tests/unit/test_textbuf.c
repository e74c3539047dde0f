/*
 * Unit tests of the text guards for strings from outside (process names, cmdlines,
 * interface names): nothing a terminal would act on gets through bs_text_safe, and
 * bs_text_utf8 always gives JSON valid UTF-8; neither cuts a character in half.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bindscope/textbuf.h"

static void safe(const char *in, const char *want, size_t len)
{
	char buf[128];

	assert_true(len <= sizeof(buf));
	bs_text_safe(in, buf, len);
	assert_string_equal(buf, want);
}

static void utf8(const char *in, const char *want, size_t len)
{
	char buf[128];

	assert_true(len <= sizeof(buf));
	bs_text_utf8(in, buf, len);
	assert_string_equal(buf, want);
}

/* Guards the terminal: ESC, BEL, DEL, C1 controls (U+009B is CSI) and stray bytes. */
static void test_safe_escapes_controls(void **state)
{
	(void)state;
	safe("py\033]0;PWNED\007x", "py\\033]0;PWNED\\007x", 128);
	safe("a\177b", "a\\177b", 128);
	safe("a\302\233b", "a\\302\\233b", 128);      /* U+009B, CSI in one character */
	safe("a\377b", "a\\377b", 128);               /* not UTF-8 at all */
	safe("\300\257", "\\300\\257", 128);          /* overlong '/' */
	safe("\355\240\200", "\\355\\240\\200", 128); /* a UTF-16 surrogate */
	safe("nginx: worker", "nginx: worker", 128);
	safe("caf\303\251 \342\234\223", "caf\303\251 \342\234\223", 128); /* é ✓ kept */
}

/* Guards the cut: whole characters and whole escapes only. */
static void test_safe_cuts_whole(void **state)
{
	(void)state;
	safe("ab\342\234\223", "ab", 5); /* ✓ is 3 bytes: 2 + 3 does not fit in 4 + NUL */
	safe("ab\342\234\223", "ab\342\234\223", 6);
	safe("a\033b", "a", 4); /* the escape is 4 bytes */
	safe("a\033b", "a\\033", 6);
}

/* Guards JSON: invalid UTF-8, and a character cut short at a limit, become U+FFFD. */
static void test_utf8_replaces_invalid(void **state)
{
	(void)state;
	utf8("a\377b", "a\357\277\275b", 128);
	utf8("ab\342\234", "ab\357\277\275\357\277\275", 128); /* ✓ cut after 2 bytes */
	utf8("py\033x", "py\033x", 128);         /* controls stay: JSON escapes them */
	utf8("\303\251\303\251", "\303\251", 4); /* whole é only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_safe_escapes_controls),
	    cmocka_unit_test(test_safe_cuts_whole),
	    cmocka_unit_test(test_utf8_replaces_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
