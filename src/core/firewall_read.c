/*
 * The ruleset from the kernel, through libnftables (JSON out), and nft commands for the lab.
 * libnftables is loaded when it is first needed (dlopen), not at every start: with its
 * libnftnl, libxtables and libgmp it is most of a one-shot command's start-up, and a machine
 * (or namespace) with no nftables table needs none of it (fw_count_tables says so first).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "firewall_internal.h"

#define LIBNFTABLES "libnftables.so.1"
/* What `nft -j list ruleset` prints where there is nothing (its metainfo aside). */
#define EMPTY_RULESET "{\"nftables\": []}"

/* The libnftables calls bindscope makes, looked up once. */
static struct {
	bool tried, loaded;
	char why[200];
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	void (*output_set_flags)(struct nft_ctx *ctx, unsigned int flags);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*get_output_buffer)(struct nft_ctx *ctx);
	const char *(*get_error_buffer)(struct nft_ctx *ctx);
	int (*run_cmd_from_buffer)(struct nft_ctx *ctx, const char *buf);
} nft;

static bool symbol(void *lib, const char *name, void *out)
{
	void *p = dlsym(lib, name);

	if (p == NULL)
		snprintf(nft.why, sizeof(nft.why), "%s has no %s: install libnftables1 %s",
		         LIBNFTABLES, name, "1.0 or later");
	memcpy(out, &p, sizeof(p)); /* a data pointer to a function pointer, as POSIX allows */
	return p != NULL;
}

static bool nft_load(struct bs_error *err)
{
	void *lib;

	if (!nft.tried) {
		nft.tried = true;
		lib = dlopen(LIBNFTABLES, RTLD_NOW | RTLD_LOCAL);
		if (lib == NULL)
			snprintf(nft.why, sizeof(nft.why),
			         "%s cannot be loaded (%s): install the package libnftables1",
			         LIBNFTABLES, dlerror());
		nft.loaded = lib != NULL && symbol(lib, "nft_ctx_new", &nft.ctx_new) &&
		             symbol(lib, "nft_ctx_free", &nft.ctx_free) &&
		             symbol(lib, "nft_ctx_output_set_flags", &nft.output_set_flags) &&
		             symbol(lib, "nft_ctx_buffer_output", &nft.buffer_output) &&
		             symbol(lib, "nft_ctx_buffer_error", &nft.buffer_error) &&
		             symbol(lib, "nft_ctx_get_output_buffer", &nft.get_output_buffer) &&
		             symbol(lib, "nft_ctx_get_error_buffer", &nft.get_error_buffer) &&
		             symbol(lib, "nft_run_cmd_from_buffer", &nft.run_cmd_from_buffer);
	}
	if (!nft.loaded)
		bs_error_set(err, 0, "%s", nft.why);
	return nft.loaded;
}

/* Copy nft's own message, one line, without its trailing newline. */
static void nft_message(struct nft_ctx *ctx, char *buf, size_t len)
{
	const char *e = nft.get_error_buffer(ctx);
	size_t n;

	snprintf(buf, len, "%s", e != NULL && e[0] != '\0' ? e : "no message");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
}

static struct nft_ctx *context(bool json, struct bs_error *err)
{
	struct nft_ctx *ctx;

	if (!nft_load(err))
		return NULL;
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (ctx != NULL && json)
		nft.output_set_flags(ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	if (ctx != NULL && (nft.buffer_output(ctx) < 0 || nft.buffer_error(ctx) < 0)) {
		nft.ctx_free(ctx);
		ctx = NULL;
	}
	if (ctx == NULL)
		bs_error_set(err, 0, "libnftables could not start");
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

	rc = nft.run_cmd_from_buffer(ctx, commands);
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
	if (fw_count_tables() == 0) { /* no table, no rule: the empty ruleset, as nft lists it */
		fw = bs_fw_parse(EMPTY_RULESET, strlen(EMPTY_RULESET), err);
		ctx = NULL;
	} else {
		ctx = context(true, err);
		if (ctx == NULL)
			return NULL;
		if (run_quietly(ctx, "list ruleset") != 0) {
			nft_message(ctx, msg, sizeof(msg));
			if (strstr(msg, "Operation not permitted") != NULL || errno == EPERM)
				*status = BS_FW_NEEDS_ROOT;
			bs_error_set(err, 0, "nft list ruleset: %s", msg);
			nft.ctx_free(ctx);
			return NULL;
		}
		out = nft.get_output_buffer(ctx);
		fw = bs_fw_parse(out, strlen(out), err);
		nft.ctx_free(ctx);
	}
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
	ctx = context(false, err);
	if (ctx == NULL)
		return -1;
	if (run_quietly(ctx, commands) != 0) {
		nft_message(ctx, msg, sizeof(msg));
		nft.ctx_free(ctx);
		return bs_error_set(err, 0, "nft refused the rule: %s", msg);
	}
	nft.ctx_free(ctx);
	return 0;
}
