/* The ruleset from the kernel, through libnftables (JSON out), and nft commands for the lab. */
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "firewall_internal.h"

/* Copy nft's own message, one line, without its trailing newline. */
static void nft_message(struct nft_ctx *ctx, char *buf, size_t len)
{
	const char *e = nft_ctx_get_error_buffer(ctx);
	size_t n;

	snprintf(buf, len, "%s", e != NULL && e[0] != '\0' ? e : "no message");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
}

static struct nft_ctx *context(bool json)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	if (ctx == NULL)
		return NULL;
	if (json)
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
		nft_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Legacy iptables keeps its table names here once ip_tables is loaded in this namespace. */
static bool legacy_tables_loaded(void)
{
	FILE *f = fopen("/proc/net/ip_tables_names", "r");
	int c;

	if (f == NULL)
		return false;
	c = fgetc(f);
	fclose(f);
	return c != EOF;
}

/* libnftables ends the whole process when it cannot open its netlink socket (out of
 * descriptors, say): make sure it can before asking it anything. */
static bool netlink_possible(struct bs_error *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0) {
		bs_error_set(err, errno, "no netlink socket for nftables could be opened: %s",
		             strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* Some of libnftables' messages go to stderr whatever its error buffer says ("Operation not
 * permitted (you must be root)"): bindscope says it in its own words, so they are silenced
 * for the call. Returns the saved stderr, or -1 when it could not be saved (left as is). */
static int quiet_stderr(void)
{
	int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	int null = saved >= 0 ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;

	if (null < 0) {
		if (saved >= 0)
			close(saved);
		return -1;
	}
	dup2(null, STDERR_FILENO);
	close(null);
	return saved;
}

static void restore_stderr(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static int run_quietly(struct nft_ctx *ctx, const char *commands)
{
	int saved = quiet_stderr(), rc, code;

	rc = nft_run_cmd_from_buffer(ctx, commands);
	code = errno;
	restore_stderr(saved);
	errno = code;
	return rc;
}

struct bs_fw_ruleset *bs_fw_read(enum bs_fw_status *status, struct bs_error *err)
{
	struct nft_ctx *ctx;
	struct bs_fw_ruleset *fw;
	char msg[256];
	const char *out;

	*status = BS_FW_UNAVAILABLE;
	if (!netlink_possible(err))
		return NULL;
	ctx = context(true);
	if (ctx == NULL) {
		bs_error_set(err, 0, "libnftables could not start");
		return NULL;
	}
	if (run_quietly(ctx, "list ruleset") != 0) {
		nft_message(ctx, msg, sizeof(msg));
		if (strstr(msg, "Operation not permitted") != NULL || errno == EPERM)
			*status = BS_FW_NEEDS_ROOT;
		bs_error_set(err, 0, "nft list ruleset: %s", msg);
		nft_ctx_free(ctx);
		return NULL;
	}
	out = nft_ctx_get_output_buffer(ctx);
	fw = bs_fw_parse(out, strlen(out), err);
	nft_ctx_free(ctx);
	if (fw == NULL)
		return NULL;
	if (fw->nchains == 0 && legacy_tables_loaded()) {
		*status = BS_FW_LEGACY;
		bs_error_set(err, 0, "%s", bs_fw_status_text(BS_FW_LEGACY));
		bs_fw_free(fw);
		return NULL;
	}
	*status = BS_FW_READ;
	return fw;
}

struct bs_fw_ruleset *bs_fw_read_or_why(char *why, size_t len)
{
	enum bs_fw_status status;
	struct bs_error err = {0};
	struct bs_fw_ruleset *fw = bs_fw_read(&status, &err);

	why[0] = '\0';
	if (fw == NULL && status == BS_FW_UNAVAILABLE)
		snprintf(why, len, "firewall not read (%s)", err.msg);
	else if (fw == NULL)
		snprintf(why, len, "%s", bs_fw_status_text(status));
	return fw;
}

int bs_fw_apply(const char *commands, struct bs_error *err)
{
	struct nft_ctx *ctx;
	char msg[256];

	if (!netlink_possible(err))
		return -1;
	ctx = context(false);
	if (ctx == NULL)
		return bs_error_set(err, 0, "libnftables could not start");
	if (run_quietly(ctx, commands) != 0) {
		nft_message(ctx, msg, sizeof(msg));
		nft_ctx_free(ctx);
		return bs_error_set(err, 0, "nft refused the rule: %s", msg);
	}
	nft_ctx_free(ctx);
	return 0;
}
