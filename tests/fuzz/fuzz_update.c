/* libFuzzer harness for the BGP UPDATE decoder and builder (bgpd/bgp/msg.c).
 *
 * Input: one control octet, then the message.
 *   control bit 0  1: the rest is the whole message as received; 0: the rest
 *                  is the body after the header, and the harness puts a
 *                  valid header (marker, length, type UPDATE) in front
 *   control bit 1  builder: iBGP (else eBGP)
 *   control bit 2  builder: 4-octet AS numbers negotiated
 *   control bit 3  builder: local AS 4200000000 (else 65000)
 *   control bit 4  builder: messages up to 4096 octets (else 65535)
 *   control bit 5  the callback refuses the second NLRI it gets
 * The decoder must never crash; every NLRI it hands over must be valid and
 * print as text. A message that decodes is rebuilt with the builder, and
 * the rebuilt UPDATEs must decode to the same rules. Any broken property
 * abort()s. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/bgp/msg.h"
#include "nlri/flowspec.h"
#include "nlri/rule.h"
#include "nlri/text.h"

#define FUZZ_NAME "fuzz_update"
#include "fuzz.h"

#define CTRL_RAW 0x01
#define CTRL_IBGP 0x02
#define CTRL_AS4 0x04
#define CTRL_BIG_AS 0x08
#define CTRL_SMALL_MSG 0x10
#define CTRL_REFUSE 0x20

/* Rules kept per list for the rebuild. */
#define KEEP_MAX 64

struct flows {
	size_t msg_len;
	bool refuse;			/* refuse the second NLRI */
	size_t n_ann, n_wd;		/* callbacks seen */
	struct fs_rule ann[KEEP_MAX], wd[KEEP_MAX];
	size_t kept_ann, kept_wd;
};

static bool same_buf(const struct writer *a, const struct writer *b)
{
	return a->len == b->len && (a->len == 0 ||
				    memcmp(a->data, b->data, a->len) == 0);
}

static bool same_rule(const struct fs_rule *a, const struct fs_rule *b,
		      bool attrs)
{
	if (a->afi != b->afi || !same_buf(&a->match, &b->match))
		return false;
	if (!attrs)
		return true;
	return same_buf(&a->ext, &b->ext) && same_buf(&a->ext6, &b->ext6) &&
	       same_buf(&a->comm, &b->comm) &&
	       a->nexthop.family == b->nexthop.family &&
	       memcmp(a->nexthop.bytes, b->nexthop.bytes,
		      addr_octets(a->nexthop.family)) == 0;
}

static bool on_flow(void *ctx, const struct bgp_flow *flow)
{
	struct flows *f = ctx;
	const struct fs_rule *r = flow->rule;
	if (flow->afi != FS_AFI_IPV4 && flow->afi != FS_AFI_IPV6)
		die("flow of AFI %d", (int)flow->afi);
	if (r->afi != flow->afi)
		die("rule AFI %d in a flow of AFI %d", (int)r->afi,
		    (int)flow->afi);
	if (flow->off >= f->msg_len)
		die("flow offset %zu outside the %zu-octet message", flow->off,
		    f->msg_len);
	if (fs_validate(r->afi, r->match.data, r->match.len, NULL) != FS_OK)
		die("decoder handed over an invalid NLRI");
	if (r->ext.len % EXT_COMMUNITY_LEN || r->ext6.len % EXT6_COMMUNITY_LEN ||
	    r->comm.len % 4)
		die("community attribute of a bad length");
	if (flow->withdrawn && f->n_ann)
		die("a withdrawn NLRI after an announced one");
	char *text = fs_text_string(r);
	if (!text)
		die("fs_text_string failed");
	free(text);

	if (f->refuse && f->n_ann + f->n_wd == 1)
		return false;
	size_t *n = flow->withdrawn ? &f->n_wd : &f->n_ann;
	size_t *kept = flow->withdrawn ? &f->kept_wd : &f->kept_ann;
	struct fs_rule *keep = flow->withdrawn ? f->wd : f->ann;
	(*n)++;
	if (*kept < KEEP_MAX) {
		if (!fs_rule_copy(&keep[*kept], r))
			die("fs_rule_copy failed");
		(*kept)++;
	}
	return true;
}

static void flows_free(struct flows *f)
{
	for (size_t i = 0; i < f->kept_ann; i++)
		fs_rule_clear(&f->ann[i]);
	for (size_t i = 0; i < f->kept_wd; i++)
		fs_rule_clear(&f->wd[i]);
}

/* Decodes msg; on success checks the counts against the callbacks. */
static enum bgp_update_err decode(const uint8_t *msg, size_t len,
				  struct flows *f, bool refuse,
				  struct bgp_update_result *res)
{
	memset(f, 0, sizeof *f);
	f->msg_len = len;
	f->refuse = refuse;
	enum bgp_update_err err = bgp_update_decode(msg, len, on_flow, f, res);
	if (err != res->err)
		die("returned %d, result says %d", (int)err, (int)res->err);
	char buf[128];
	const char *text = bgp_update_error_text(res, buf, sizeof buf);
	if (text != buf || !buf[0] || strlen(buf) >= sizeof buf)
		die("bgp_update_error_text gave no text");
	if (strcmp(bgp_update_err_str(err), "unknown error") == 0)
		die("error %d has no text", (int)err);
	if (err != BGP_UPD_OK) {
		if (res->off > len)
			die("fault offset %zu past the %zu-octet message",
			    res->off, len);
		if (err == BGP_UPD_CALLBACK) {
			if (!refuse || f->n_ann + f->n_wd != 1)
				die("callback error after %zu NLRIs",
				    f->n_ann + f->n_wd);
		} else if (f->n_ann || f->n_wd) {
			die("NLRIs handed over from a message with a fault "
			    "(%s)", bgp_update_err_str(err));
		}
		return err;
	}
	if (res->announced != f->n_ann || res->withdrawn != f->n_wd)
		die("counts %zu/%zu, callbacks %zu/%zu", res->announced,
		    res->withdrawn, f->n_ann, f->n_wd);
	/* Without a callback the same message gives the same counts. */
	struct bgp_update_result res2;
	if (bgp_update_decode(msg, len, NULL, NULL, &res2) != BGP_UPD_OK ||
	    res2.announced != res->announced ||
	    res2.withdrawn != res->withdrawn || res2.eor_afi != res->eor_afi)
		die("decode without a callback differs");
	return err;
}

/* Builds UPDATEs of the n rules and checks that they decode to them. */
static void rebuild(const struct bgp_update_params *p, struct fs_rule *rules,
		    size_t n, bool withdraw)
{
	const struct fs_rule *ptrs[KEEP_MAX];
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &rules[i];
	size_t done = 0;
	while (done < n) {
		struct writer w = writer_init(0);
		size_t taken = 0;
		enum bgp_build_err err =
			withdraw ? bgp_update_withdraw(&w, p, ptrs + done,
						       n - done, &taken)
				 : bgp_update_announce(&w, p, ptrs + done,
						       n - done, &taken);
		if (strcmp(bgp_build_err_str(err), "unknown error") == 0)
			die("build error %d has no text", (int)err);
		if (err != BGP_BUILD_OK) {
			/* A received rule may not fit in a 4096-octet UPDATE
			 * with its attributes; nothing else may fail. */
			if (err != BGP_BUILD_TOO_BIG || w.len || taken)
				die("rebuild failed: %s (taken %zu, %zu octets)",
				    bgp_build_err_str(err), taken, w.len);
			writer_free(&w);
			return;
		}
		size_t max = p->max_msg ? p->max_msg : BGP_MAX_MSG;
		if (taken == 0 || taken > n - done || w.len > max)
			die("build took %zu of %zu in %zu octets (max %zu)",
			    taken, n - done, w.len, max);
		struct flows *f = calloc(1, sizeof *f);
		struct bgp_update_result res;
		if (!f)
			die("out of memory");
		if (decode(w.data, w.len, f, false, &res) != BGP_UPD_OK)
			die("built UPDATE does not decode: %s at octet %zu",
			    bgp_update_err_str(res.err), res.off);
		size_t got = withdraw ? f->n_wd : f->n_ann;
		if (got != taken || (withdraw ? f->n_ann : f->n_wd))
			die("built %zu rules, decoded %zu/%zu", taken,
			    f->n_ann, f->n_wd);
		for (size_t i = 0; i < taken && i < KEEP_MAX; i++) {
			const struct fs_rule *back = withdraw ? &f->wd[i]
							      : &f->ann[i];
			if (!same_rule(back, &rules[done + i], !withdraw))
				die("rule %zu of the rebuilt UPDATE differs",
				    done + i);
		}
		flows_free(f);
		free(f);
		writer_free(&w);
		done += taken;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctrl = data[0];
	data++, size--;

	uint8_t *msg;
	size_t len;
	if (ctrl & CTRL_RAW) {
		/* An exact-size copy, so ASan sees any read past the end. */
		len = size;
		msg = malloc(len ? len : 1);
		if (!msg)
			return 0;
		if (len)
			memcpy(msg, data, len);
	} else {
		len = BGP_HEADER_LEN + size;
		if (len > BGP_MAX_MSG_EXTENDED)
			return 0;
		msg = malloc(len);
		if (!msg)
			return 0;
		memset(msg, BGP_MARKER_OCTET, BGP_MARKER_LEN);
		msg[BGP_MARKER_LEN] = (uint8_t)(len >> 8);
		msg[BGP_MARKER_LEN + 1] = (uint8_t)len;
		msg[BGP_MARKER_LEN + 2] = BGP_MSG_UPDATE;
		if (size)
			memcpy(msg + BGP_HEADER_LEN, data, size);
	}

	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	if (!f) {
		free(msg);
		return 0;
	}
	if (decode(msg, len, f, ctrl & CTRL_REFUSE, &res) == BGP_UPD_OK) {
		struct bgp_update_params p = {
			.ibgp = ctrl & CTRL_IBGP,
			.as4 = ctrl & CTRL_AS4,
			.local_as = ctrl & CTRL_BIG_AS ? 4200000000u : 65000,
			.max_msg = ctrl & CTRL_SMALL_MSG ? BGP_MAX_MSG
							 : BGP_MAX_MSG_EXTENDED,
		};
		rebuild(&p, f->wd, f->kept_wd, true);
		rebuild(&p, f->ann, f->kept_ann, false);
	}
	flows_free(f);
	free(f);
	free(msg);
	return 0;
}
