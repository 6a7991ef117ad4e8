/* flowspecctl: the control tool. `encode` and `decode` work offline on the
 * wire codec; the other commands talk to the daemon's control socket.
 * Exit status: 0 success, 1 error (one "error: …" line on stderr), 2 usage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/bgp/msg.h"
#include "lib/hex.h"
#include "lib/reader.h"
#include "lib/writer.h"
#include "nlri/text.h"

#define EXIT_USAGE 2
#define DEFAULT_SOCKET "/run/flowspecd.sock"

static const char usage_text[] =
	"usage: flowspecctl [-s SOCKET] COMMAND [ARGS…]\n"
	"\n"
	"offline:\n"
	"  encode [announce|withdraw] flow route { match { … } then { … } }\n"
	"      print the UPDATE message (iBGP) as hex on one line\n"
	"  decode HEX\n"
	"      print one rule per Flowspec NLRI of an UPDATE message\n"
	"  decode --nlri [--ipv6] HEX\n"
	"      print one rule per NLRI of a packed NLRI list\n"
	"\n"
	"daemon (-s SOCKET, default " DEFAULT_SOCKET "):\n"
	"  announce flow route { … } [ttl SECONDS] [comment \"…\"]\n"
	"  withdraw flow route { … }\n"
	"  neighbor ADDR[, ADDR…] announce|withdraw flow route { … }\n"
	"  show neighbor|flow|collector [--json]\n";

struct ctl {
	const char *socket;
};

static int usage(void)
{
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* Prints "error: …" on stderr; returns the error exit status. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_FAILURE;
}

/* The arguments joined with single spaces, as a new string (free() it). */
static char *join(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = malloc(n);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static size_t skip_blanks(const char *s, size_t pos)
{
	while (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n')
		pos++;
	return pos;
}

/* True when word stands at s + pos, followed by a blank or the end. */
static bool word_at(const char *s, size_t pos, const char *word)
{
	size_t n = strlen(word);
	if (strncmp(s + pos, word, n) != 0)
		return false;
	char next = s[pos + n];
	return next == '\0' || next == ' ' || next == '\t' || next == '\n';
}

/* Prints w's contents to stdout; false when w failed. */
static bool flush(const struct writer *w)
{
	if (w->err)
		return false;
	fwrite(w->data, 1, w->len, stdout);
	return fflush(stdout) == 0;
}

/* ---- encode ---------------------------------------------------------- */

static int encode_rule(const struct fs_rule *rule, bool withdraw)
{
	struct bgp_update_params params = { .ibgp = true };
	struct writer msg = writer_init(0);
	size_t taken;
	enum bgp_build_err err =
		withdraw ? bgp_update_withdraw(&msg, &params, &rule, 1, &taken)
			 : bgp_update_announce(&msg, &params, &rule, 1, &taken);
	int status = EXIT_SUCCESS;
	if (err != BGP_BUILD_OK) {
		status = fail("%s", bgp_build_err_str(err));
	} else {
		hex_print(stdout, msg.data, msg.len);
		putchar('\n');
	}
	writer_free(&msg);
	return status;
}

static int cmd_encode(const struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	if (argc < 1)
		return usage();
	char *text = join(argc, argv);
	if (!text)
		return fail("out of memory");
	size_t pos = skip_blanks(text, 0);
	bool withdraw = false;
	if (word_at(text, pos, "withdraw")) {
		withdraw = true;
		pos = skip_blanks(text, pos + strlen("withdraw"));
	} else if (word_at(text, pos, "announce")) {
		pos = skip_blanks(text, pos + strlen("announce"));
	}
	struct fs_rule rule;
	struct fs_text_error err;
	size_t end;
	int status;
	if (!fs_text_parse(&rule, text + pos, &end, &err)) {
		status = fail("col %zu: %s", pos + err.col, err.msg);
	} else {
		size_t rest = skip_blanks(text, pos + end);
		if (text[rest])
			status = fail("col %zu: unexpected text after the rule",
				      rest + 1);
		else
			status = encode_rule(&rule, withdraw);
		fs_rule_clear(&rule);
	}
	free(text);
	return status;
}

/* ---- decode ---------------------------------------------------------- */

/* Collects the decoded rules as text lines, printed only when all is well. */
static bool collect_flow(void *ctx, const struct bgp_flow *flow)
{
	struct writer *out = ctx;
	if (flow->withdrawn) {
		static const char pre[] = "withdraw flow route { ";
		put_bytes(out, pre, sizeof pre - 1);
		fs_text_format_match(out, flow->rule);
		put_bytes(out, " }", 2);
	} else {
		fs_text_format(out, flow->rule);
	}
	put_u8(out, '\n');
	return !out->err;
}

static int decode_update(const struct writer *bytes, struct writer *out)
{
	struct bgp_update_result res;
	if (bgp_update_decode(bytes->data, bytes->len, collect_flow, out,
			      &res) != BGP_UPD_OK) {
		char buf[256];
		return fail("%s", bgp_update_error_text(&res, buf, sizeof buf));
	}
	return flush(out) ? EXIT_SUCCESS : fail("cannot write the output");
}

/* A packed NLRI list (RFC 8955 §4.1), each printed with no action. */
static int decode_nlri_list(const struct writer *bytes, enum fs_afi afi,
			    struct writer *out)
{
	struct reader r = reader_init(bytes->data, bytes->len);
	struct fs_rule rule;
	fs_rule_init(&rule, afi);
	int status = EXIT_SUCCESS;
	while (status == EXIT_SUCCESS && remaining(&r)) {
		size_t off = r.off;
		struct reader one;
		if (!fs_nlri_next(&r, &one)) {
			status = fail("octet %zu: NLRI runs past the input", off);
			break;
		}
		size_t err_off;
		enum fs_reason why = fs_validate(afi, one.data, one.len,
						 &err_off);
		if (why != FS_OK) {
			status = fail("octet %zu: %s",
				      r.off - one.len + err_off,
				      fs_reason_str(why));
			break;
		}
		writer_reset(&rule.match);
		put_bytes(&rule.match, one.data, one.len);
		fs_text_format(out, &rule);
		put_u8(out, '\n');
	}
	fs_rule_clear(&rule);
	if (status == EXIT_SUCCESS && !flush(out))
		status = fail("cannot write the output");
	return status;
}

static int cmd_decode(const struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	bool nlri = false, ipv6 = false;
	int i = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--nlri") == 0)
			nlri = true;
		else if (strcmp(argv[i], "--ipv6") == 0)
			ipv6 = true;
		else
			return usage();
	}
	if (i == argc || (ipv6 && !nlri))
		return usage();
	char *hex = join(argc - i, argv + i);
	if (!hex)
		return fail("out of memory");
	struct writer bytes = writer_init(0);
	struct writer out = writer_init(0);
	int status;
	if (!hex_decode(&bytes, hex))
		status = fail("not valid hex (a non-hex character or an odd "
			      "number of digits)");
	else if (nlri)
		status = decode_nlri_list(&bytes, ipv6 ? FS_AFI_IPV6
						       : FS_AFI_IPV4, &out);
	else
		status = decode_update(&bytes, &out);
	writer_free(&out);
	writer_free(&bytes);
	free(hex);
	return status;
}

/* ---- daemon commands ------------------------------------------------- */

static int cmd_daemon(const struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	(void)argc;
	(void)argv;
	return fail("no daemon control socket support yet");
}

/* ---- dispatch -------------------------------------------------------- */

struct command {
	const char *name;
	/* argv holds the words after the command name. */
	int (*run)(const struct ctl *ctl, int argc, char **argv);
};

static const struct command commands[] = {
	{ "encode", cmd_encode },
	{ "decode", cmd_decode },
	{ "announce", cmd_daemon },
	{ "withdraw", cmd_daemon },
	{ "neighbor", cmd_daemon },
	{ "show", cmd_daemon },
};

int main(int argc, char **argv)
{
	struct ctl ctl = { .socket = DEFAULT_SOCKET };
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			ctl.socket = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 ||
			   strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		} else {
			return usage();
		}
	}
	if (i == argc)
		return usage();
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].run(&ctl, argc - i - 1, argv + i + 1);
	}
	return usage();
}
