/* flowspecctl: the control tool. `encode` and `decode` work offline on the
 * wire codec; `batch` and every other command talk to the daemon's
 * control socket (protocol in bgpd/control/ctl.h), which parses the
 * command and answers. Exit status: 0 success, 1 error (one "error: …"
 * line on stderr), 2 usage. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/control/client.h"
#include "lib/hex.h"
#include "lib/reader.h"
#include "lib/writer.h"
#include "nlri/text.h"

#define EXIT_USAGE 2
#define DEFAULT_SOCKET "/run/flowspecd.sock"
#define SOCKET_ENV "FLOWSPECD_SOCKET"	/* overrides the default */
#define REPLY_TIMEOUT_MS 120000		/* silence from the daemon */
#define BATCH_AHEAD (256u << 10)	/* octets of commands sent ahead */

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
	"daemon (-s SOCKET, default $" SOCKET_ENV " or " DEFAULT_SOCKET "):\n"
	"  announce flow route { … } [ttl SECONDS] [comment \"…\"]\n"
	"  withdraw flow route { … }\n"
	"  neighbor ADDR[, ADDR…] announce|withdraw flow route { … }\n"
	"  show neighbor [ADDR] [--json]\n"
	"  show flow [--json]\n"
	"  show received|adj-rib-out ADDR [--json]\n"
	"  show collector [--json]\n"
	"  show mitigations [--json]\n"
	"  clear neighbor ADDR [soft]\n"
	"  flush [static|api|policy|policy:NAME]\n"
	"  reload\n"
	"  help                 the daemon's list of commands\n"
	"  batch [FILE]\n"
	"      run the commands of FILE (default stdin), one per line, and\n"
	"      report each error with its line number\n";

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
	if (w->len)	/* an empty writer has no buffer: fwrite(NULL) is UB */
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

/* Says where hex text (the joined arguments) is bad; the error status. */
static int fail_hex(const char *hex, const struct hex_error *bad)
{
	unsigned char c = (unsigned char)hex[bad->pos];
	if (isxdigit(c))
		return fail("octet %zu: odd number of hex digits (the last "
			    "one, character %zu, has no pair)", bad->octet,
			    bad->pos + 1);
	if (isgraph(c))
		return fail("octet %zu: character %zu ('%c') is not a hex "
			    "digit", bad->octet, bad->pos + 1, c);
	return fail("octet %zu: character %zu (0x%02x) is not a hex digit",
		    bad->octet, bad->pos + 1, c);
}

/* Collects the decoded rules as text lines, printed only when all is well. */
static bool collect_flow(void *ctx, const struct bgp_flow *flow)
{
	struct writer *out = ctx;
	if (flow->withdrawn) {
		static const char pre[] = "withdraw ";
		put_bytes(out, pre, sizeof pre - 1);
		fs_text_format_withdraw(out, flow->rule);
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
	struct hex_error bad;
	if (!hex_decode_at(&bytes, hex, &bad))
		status = bytes.err ? fail("out of memory") : fail_hex(hex, &bad);
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

/* Waits up to REPLY_TIMEOUT_MS for fd to be ready for events; false (with
 * a message printed) on a timeout or an error. */
static bool wait_fd(int fd, short events, short *revents)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;
	do
		n = poll(&p, 1, REPLY_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		fail("poll: %s", strerror(errno));
		return false;
	}
	if (n == 0) {
		fail("no reply from flowspecd within %d s",
		     REPLY_TIMEOUT_MS / 1000);
		return false;
	}
	*revents = p.revents;
	return true;
}

/* One command: the reply body goes to stdout, an error line to stderr. */
static int cmd_daemon(const struct ctl *ctl, int argc, char **argv)
{
	char *line = join(argc, argv);
	if (!line)
		return fail("out of memory");
	if (strchr(line, '\n')) {
		free(line);
		return fail("the command must be one line (see batch)");
	}
	char err[512];
	int fd = ctl_client_connect(ctl->socket, err, sizeof err);
	if (fd < 0) {
		free(line);
		return fail("%s", err);
	}
	bool sent = ctl_client_write(fd, line, strlen(line)) &&
		    ctl_client_write(fd, "\n", 1);
	free(line);
	if (!sent) {
		close(fd);
		return fail("cannot send to flowspecd: %s", strerror(errno));
	}
	shutdown(fd, SHUT_WR);	/* one command: the daemon may close after it */

	struct ctl_lines in;
	ctl_lines_init(&in);
	int status = -1;
	while (status < 0) {
		char *l;
		while (status < 0 && (l = ctl_lines_next(&in)) != NULL) {
			switch (ctl_line_kind(l)) {
			case CTL_LINE_OK:
				status = EXIT_SUCCESS;
				break;
			case CTL_LINE_ERROR:
				fprintf(stderr, "%s\n", l);
				status = EXIT_FAILURE;
				break;
			case CTL_LINE_BODY:
				puts(l);
				break;
			}
		}
		if (status >= 0)
			break;
		short rev;
		if (!wait_fd(fd, POLLIN, &rev)) {
			status = EXIT_FAILURE;
			break;
		}
		ssize_t n = ctl_lines_read(&in, fd);
		if (n < 0)
			status = fail("reading from flowspecd: %s",
				      strerror(errno));
		else if (n == 0)
			status = fail("flowspecd closed the connection before "
				      "the end of its reply");
	}
	ctl_lines_free(&in);
	close(fd);
	if (fflush(stdout) != 0 && status == EXIT_SUCCESS)
		status = fail("cannot write the output");
	return status;
}

/* The input line numbers of the commands sent and not yet answered. */
struct pending {
	size_t *line;
	size_t head, n, cap;	/* a queue: [head, head + n) */
};

static bool pending_push(struct pending *q, size_t line)
{
	if (q->head > 0 && q->head + q->n == q->cap) {
		memmove(q->line, q->line + q->head, q->n * sizeof *q->line);
		q->head = 0;
	}
	if (q->head + q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 256;
		size_t *l = realloc(q->line, cap * sizeof *l);
		if (!l)
			return false;
		q->line = l;
		q->cap = cap;
	}
	q->line[q->head + q->n++] = line;
	return true;
}

struct batch {
	FILE *in;
	bool in_eof;
	size_t lineno;
	struct writer out;	/* commands read, not yet sent */
	size_t out_off;
	struct pending q;
	size_t failed, done;
};

/* Reads input lines into b->out until BATCH_AHEAD octets wait. */
static bool batch_fill(struct batch *b)
{
	char *line = NULL;
	size_t cap = 0;
	while (!b->in_eof && b->out.len - b->out_off < BATCH_AHEAD) {
		ssize_t n = getline(&line, &cap, b->in);
		if (n < 0) {
			b->in_eof = true;
			break;
		}
		b->lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		size_t i = 0;
		while (i < (size_t)n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == (size_t)n || line[i] == '#')
			continue;	/* the daemon would skip it too */
		if (b->out_off == b->out.len) {
			writer_reset(&b->out);
			b->out_off = 0;
		}
		put_bytes(&b->out, line, (size_t)n);
		put_u8(&b->out, '\n');
		if (b->out.err || !pending_push(&b->q, b->lineno)) {
			free(line);
			return false;
		}
	}
	free(line);
	return !ferror(b->in);
}

/* Handles the complete reply lines received so far. */
static void batch_replies(struct batch *b, struct ctl_lines *in)
{
	char *l;
	while ((l = ctl_lines_next(in)) != NULL) {
		enum ctl_line_kind kind = ctl_line_kind(l);
		if (kind == CTL_LINE_BODY) {
			puts(l);
			continue;
		}
		size_t line = b->q.n ? b->q.line[b->q.head] : 0;
		if (b->q.n) {
			b->q.head++;
			b->q.n--;
		}
		b->done++;
		if (kind == CTL_LINE_ERROR) {
			b->failed++;
			fprintf(stderr, "error: line %zu:%s\n", line, l + 6);
		}
	}
}

/* Sends the commands of a file (or stdin) on one connection, ahead of
 * the replies, and reports every error with its line number. */
static int cmd_batch(const struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1)
		return usage();
	struct batch b = { .in = stdin, .out = writer_init(0) };
	if (argc == 1 && strcmp(argv[0], "-") != 0) {
		b.in = fopen(argv[0], "r");
		if (!b.in)
			return fail("%s: %s", argv[0], strerror(errno));
	}
	char err[512];
	int fd = ctl_client_connect(ctl->socket, err, sizeof err);
	int status = EXIT_SUCCESS;
	struct ctl_lines in;
	ctl_lines_init(&in);
	if (fd < 0)
		status = fail("%s", err);
	while (status == EXIT_SUCCESS) {
		if (!batch_fill(&b)) {
			status = fail("reading the commands: %s",
				      strerror(errno));
			break;
		}
		bool to_send = b.out_off < b.out.len;
		if (!to_send && b.in_eof && b.q.n == 0)
			break;
		short rev;
		if (!wait_fd(fd, (short)(POLLIN | (to_send ? POLLOUT : 0)),
			     &rev)) {
			status = EXIT_FAILURE;
			break;
		}
		if (rev & POLLOUT) {
			ssize_t w = send(fd, b.out.data + b.out_off,
					 b.out.len - b.out_off,
					 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				status = fail("cannot send to flowspecd: %s",
					      strerror(errno));
				break;
			}
			if (w > 0)
				b.out_off += (size_t)w;
		}
		if (rev & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = ctl_lines_read(&in, fd);
			if (n < 0 && errno != EAGAIN) {
				status = fail("reading from flowspecd: %s",
					      strerror(errno));
			} else if (n == 0) {
				batch_replies(&b, &in);
				if (b.q.n)
					status = fail("flowspecd closed the "
						      "connection with %zu "
						      "commands unanswered",
						      b.q.n);
				break;
			}
			batch_replies(&b, &in);
		}
	}
	if (fd >= 0)
		close(fd);
	if (b.in != stdin)
		fclose(b.in);
	ctl_lines_free(&in);
	writer_free(&b.out);
	free(b.q.line);
	if (fflush(stdout) != 0 && status == EXIT_SUCCESS)
		status = fail("cannot write the output");
	if (status == EXIT_SUCCESS && b.failed)
		status = EXIT_FAILURE;
	return status;
}

/* ---- dispatch -------------------------------------------------------- */

struct command {
	const char *name;
	/* argv holds the words after the command name. */
	int (*run)(const struct ctl *ctl, int argc, char **argv);
};

/* The offline commands and batch; every other command goes to the daemon
 * as typed, and the daemon's parser says what is wrong with it. */
static const struct command commands[] = {
	{ "encode", cmd_encode },
	{ "decode", cmd_decode },
	{ "batch", cmd_batch },
};

/* The status of a command, made a failure when its output did not all
 * reach stdout (a full disk, a closed pipe). */
static int output_status(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "error: writing output: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return status;
}

int main(int argc, char **argv)
{
	const char *env = getenv(SOCKET_ENV);
	struct ctl ctl = { .socket = env && *env ? env : DEFAULT_SOCKET };
	signal(SIGPIPE, SIG_IGN);
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
			return output_status(commands[c].run(&ctl, argc - i - 1,
							     argv + i + 1));
	}
	return output_status(cmd_daemon(&ctl, argc - i, argv + i));
}
