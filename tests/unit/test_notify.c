/* Unit tests for bgpd/bgp/notify.c: the code/subcode names, the
 * NOTIFICATION encoder, RFC 8203 / RFC 9003 shutdown communications,
 * RFC 8538 Hard Reset and the decoder on bad input. */
#include <stdio.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/notify.h"
#include "bgpd/bgp/open.h"
#include "vectors.h"

#define MARKER                                                          \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		0xff, 0xff, 0xff, 0xff, 0xff

/* ---- names ---------------------------------------------------------------- */

START_TEST(names_every_rfc_subcode)
{
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN),
			 "Cease/Administrative Shutdown");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_HOLD_TIMER, 0),
			 "Hold Timer Expired");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH),
			 "Message Header Error/Bad Message Length");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_OPEN, BGP_OPEN_UNSUP_CAPABILITY),
			 "OPEN Message Error/Unsupported Capability");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_FSM, BGP_FSM_ERR_OPENCONFIRM),
			 "Finite State Machine Error/Receive Unexpected "
			 "Message in OpenConfirm State");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_CEASE, BGP_CEASE_HARD_RESET),
			 "Cease/Hard Reset");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_ROUTE_REFRESH,
					BGP_RR_ERR_LENGTH),
			 "ROUTE-REFRESH Message Error/Invalid Message Length");

	/* Every subcode RFC 4271 §6, RFC 5492, RFC 6608, RFC 4486, RFC 8538
	 * and RFC 9384 define has its own name. */
	static const struct {
		uint8_t code, first, last;
	} defined[] = {
		{ BGP_ERR_HEADER, 1, 3 },
		{ BGP_ERR_OPEN, 1, 7 },
		{ BGP_ERR_UPDATE, 1, 11 },
		{ BGP_ERR_FSM, 0, 3 },
		{ BGP_ERR_CEASE, 1, 10 },
	};
	for (size_t i = 0; i < sizeof defined / sizeof defined[0]; i++) {
		for (unsigned s = defined[i].first; s <= defined[i].last; s++) {
			const char *n = bgp_notify_str(defined[i].code,
						       (uint8_t)s);
			ck_assert_msg(!strstr(n, "unknown"), "%u/%u: %s",
				      defined[i].code, s, n);
		}
	}
}
END_TEST

START_TEST(names_unknown)
{
	ck_assert_str_eq(bgp_notify_str(0, 0), "unknown error code");
	ck_assert_str_eq(bgp_notify_str(99, 1), "unknown error code");
	ck_assert_str_eq(bgp_notify_str(255, 255), "unknown error code");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_CEASE, 200),
			 "Cease/unknown subcode");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_HEADER, 4),
			 "Message Header Error/unknown subcode");
	ck_assert_str_eq(bgp_notify_str(BGP_ERR_HOLD_TIMER, 1),
			 "Hold Timer Expired/unknown subcode");
}
END_TEST

/* ---- encode --------------------------------------------------------------- */

START_TEST(encode_hold_timer)
{
	struct writer w = writer_init(0);
	ck_assert(bgp_notify_encode(&w, BGP_ERR_HOLD_TIMER, BGP_ERR_UNSPECIFIC,
				    NULL, 0, 0));
	ck_assert_octets(w.data, w.len,
			 VEC(MARKER, 0, 21, BGP_MSG_NOTIFICATION,
			     BGP_ERR_HOLD_TIMER, 0));
	writer_free(&w);
}
END_TEST

START_TEST(encode_with_data)
{
	struct writer w = writer_init(0);
	uint8_t len_field[] = { 0x10, 0x01 };
	ck_assert(bgp_notify_encode(&w, BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH,
				    len_field, sizeof len_field, 0));
	ck_assert_octets(w.data, w.len,
			 VEC(MARKER, 0, 23, BGP_MSG_NOTIFICATION,
			     BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH, 0x10, 0x01));
	writer_free(&w);
}
END_TEST

START_TEST(encode_cut_to_max)
{
	uint8_t big[5000];
	memset(big, 0xab, sizeof big);
	struct writer w = writer_init(0);
	ck_assert(bgp_notify_encode(&w, BGP_ERR_UPDATE, BGP_UPD_ERR_ATTR_LENGTH,
				    big, sizeof big, 0));
	ck_assert_uint_eq(w.len, BGP_MAX_MSG);
	ck_assert_uint_eq(w.data[16], BGP_MAX_MSG >> 8);
	ck_assert_uint_eq(w.data[17], BGP_MAX_MSG & 0xff);
	writer_reset(&w);
	ck_assert(bgp_notify_encode(&w, BGP_ERR_UPDATE, BGP_UPD_ERR_ATTR_LENGTH,
				    big, sizeof big, BGP_MAX_MSG_EXTENDED));
	ck_assert_uint_eq(w.len, BGP_NOTIFY_MIN_LEN + sizeof big);
	writer_free(&w);
}
END_TEST

/* RFC 8203 §2: Cease, Administrative Shutdown, length, UTF-8. */
START_TEST(encode_shutdown_communication)
{
	struct writer data = writer_init(0);
	bgp_shutdown_put(&data, "maintenance");
	struct writer w = writer_init(0);
	ck_assert(bgp_notify_encode(&w, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN,
				    data.data, data.len, 0));
	ck_assert_octets(w.data, w.len,
			 VEC(MARKER, 0, 33, BGP_MSG_NOTIFICATION, BGP_ERR_CEASE,
			     BGP_CEASE_ADMIN_SHUTDOWN, 11, 'm', 'a', 'i', 'n',
			     't', 'e', 'n', 'a', 'n', 'c', 'e'));
	writer_free(&w);
	writer_free(&data);

	/* No text: one zero length octet. */
	data = writer_init(0);
	bgp_shutdown_put(&data, NULL);
	ck_assert_octets(data.data, data.len, VEC(0));
	writer_reset(&data);
	bgp_shutdown_put(&data, "");
	ck_assert_octets(data.data, data.len, VEC(0));
	writer_free(&data);
}
END_TEST

/* RFC 9003 §2: at most 255 octets, cut where a character starts. */
START_TEST(encode_shutdown_cut)
{
	char text[400];
	memset(text, 'x', 300);
	text[300] = '\0';
	struct writer w = writer_init(0);
	bgp_shutdown_put(&w, text);
	ck_assert_uint_eq(w.len, 1 + BGP_SHUTDOWN_MAX);
	ck_assert_uint_eq(w.data[0], BGP_SHUTDOWN_MAX);
	writer_free(&w);

	/* 254 ASCII octets then "é" (two octets): it would end at 256, so
	 * it is left out whole. */
	memset(text, 'a', 254);
	strcpy(text + 254, "\xc3\xa9zz");
	w = writer_init(0);
	bgp_shutdown_put(&w, text);
	ck_assert_uint_eq(w.data[0], 254);
	ck_assert_uint_eq(w.len, 255);
	writer_free(&w);

	/* 253 + "é" fits exactly. */
	memset(text, 'a', 253);
	strcpy(text + 253, "\xc3\xa9zz");
	w = writer_init(0);
	bgp_shutdown_put(&w, text);
	ck_assert_uint_eq(w.data[0], 255);
	ck_assert_uint_eq(w.data[254], 0xc3);
	ck_assert_uint_eq(w.data[255], 0xa9);
	writer_free(&w);
}
END_TEST

START_TEST(cease_hard_subcodes)
{
	/* RFC 8538 §5. */
	ck_assert(bgp_cease_is_hard(BGP_CEASE_MAX_PREFIXES));
	ck_assert(bgp_cease_is_hard(BGP_CEASE_ADMIN_SHUTDOWN));
	ck_assert(bgp_cease_is_hard(BGP_CEASE_PEER_DECONFIGURED));
	ck_assert(bgp_cease_is_hard(BGP_CEASE_ADMIN_RESET));
	ck_assert(bgp_cease_is_hard(BGP_CEASE_HARD_RESET));
	ck_assert(!bgp_cease_is_hard(BGP_CEASE_CONN_REJECTED));
	ck_assert(!bgp_cease_is_hard(BGP_CEASE_CONFIG_CHANGE));
	ck_assert(!bgp_cease_is_hard(BGP_CEASE_COLLISION));
	ck_assert(!bgp_cease_is_hard(BGP_CEASE_OUT_OF_RESOURCES));
	ck_assert(!bgp_cease_is_hard(BGP_CEASE_BFD_DOWN));
	ck_assert(!bgp_cease_is_hard(BGP_ERR_UNSPECIFIC));
}
END_TEST

/* ---- decode --------------------------------------------------------------- */

static struct bgp_notification_info decode_vec(struct vec v, bool *ok)
{
	uint8_t *buf = exact_copy(v.data, v.len);
	struct bgp_notification_info info;
	*ok = bgp_notify_decode(buf, v.len, &info);
	free(buf);
	return info;
}

START_TEST(decode_shutdown_message)
{
	bool ok;
	struct bgp_notification_info info = decode_vec(
		VEC(MARKER, 0, 28, BGP_MSG_NOTIFICATION, BGP_ERR_CEASE,
		    BGP_CEASE_ADMIN_SHUTDOWN, 6, 'u', 'p', 'g', 'r', 0xc3,
		    0xa9),
		&ok);
	ck_assert(ok);
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert_str_eq(info.text, "upgr\xc3\xa9");
	ck_assert(!info.sent);

	/* Administrative Reset carries one too (RFC 8203 §2). */
	info = decode_vec(VEC(MARKER, 0, 25, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET, 3, 'b', 'y',
			      'e'),
			  &ok);
	ck_assert_str_eq(info.text, "bye");

	/* Control characters could forge log lines. */
	info = decode_vec(VEC(MARKER, 0, 25, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 3, 'a',
			      '\n', 'b'),
			  &ok);
	ck_assert_str_eq(info.text, "a?b");

	/* A zero length octet: no text. */
	info = decode_vec(VEC(MARKER, 0, 22, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 0),
			  &ok);
	ck_assert(ok);
	ck_assert_str_eq(info.text, "");
}
END_TEST

START_TEST(decode_shutdown_malformed)
{
	bool ok;
	/* RFC 8203 §4: a length past the data. */
	struct bgp_notification_info info = decode_vec(
		VEC(MARKER, 0, 24, BGP_MSG_NOTIFICATION, BGP_ERR_CEASE,
		    BGP_CEASE_ADMIN_SHUTDOWN, 9, 'a', 'b'),
		&ok);
	ck_assert(ok);
	ck_assert_str_eq(info.text, "malformed shutdown communication: 096162");

	/* Not UTF-8: an overlong encoding and a lone continuation octet. */
	info = decode_vec(VEC(MARKER, 0, 24, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 2, 0xc0,
			      0xaf),
			  &ok);
	ck_assert_str_eq(info.text, "malformed shutdown communication: 02c0af");
	info = decode_vec(VEC(MARKER, 0, 23, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 1, 0x80),
			  &ok);
	ck_assert_str_eq(info.text, "malformed shutdown communication: 0180");
	/* A UTF-16 surrogate encoded in UTF-8 is not UTF-8 either. */
	info = decode_vec(VEC(MARKER, 0, 25, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 3, 0xed,
			      0xa0, 0x80),
			  &ok);
	ck_assert_str_eq(info.text,
			 "malformed shutdown communication: 03eda080");

	/* Octets after the message are shown apart. */
	info = decode_vec(VEC(MARKER, 0, 25, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 1, 'x',
			      0xde, 0xad),
			  &ok);
	ck_assert_str_eq(info.text, "x (then dead)");
}
END_TEST

/* RFC 8538 §3: Hard Reset carries the NOTIFICATION it stands for. */
START_TEST(decode_hard_reset)
{
	bool ok;
	struct bgp_notification_info info = decode_vec(
		VEC(MARKER, 0, 28, BGP_MSG_NOTIFICATION, BGP_ERR_CEASE,
		    BGP_CEASE_HARD_RESET, BGP_ERR_CEASE,
		    BGP_CEASE_ADMIN_SHUTDOWN, 4, 'b', 'y', 'e', '!'),
		&ok);
	ck_assert(ok);
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_HARD_RESET);
	ck_assert_str_eq(info.text, "Cease/Administrative Shutdown: bye!");

	info = decode_vec(VEC(MARKER, 0, 23, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_HARD_RESET,
			      BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIXES),
			  &ok);
	ck_assert_str_eq(info.text, "Cease/Maximum Number of Prefixes Reached");

	/* A Hard Reset inside a Hard Reset is not unwrapped again. */
	info = decode_vec(VEC(MARKER, 0, 25, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_HARD_RESET,
			      BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, 6, 2),
			  &ok);
	ck_assert_str_eq(info.text, "Cease/Hard Reset: 0602");

	/* One octet of data: too short to unwrap, shown in hex. */
	info = decode_vec(VEC(MARKER, 0, 22, BGP_MSG_NOTIFICATION,
			      BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, 6),
			  &ok);
	ck_assert_str_eq(info.text, "06");
}
END_TEST

START_TEST(decode_other_data_hex)
{
	bool ok;
	struct bgp_notification_info info = decode_vec(
		VEC(MARKER, 0, 23, BGP_MSG_NOTIFICATION, BGP_ERR_OPEN,
		    BGP_OPEN_UNSUP_VERSION, 0, 4),
		&ok);
	ck_assert(ok);
	ck_assert_uint_eq(info.code, BGP_ERR_OPEN);
	ck_assert_uint_eq(info.subcode, BGP_OPEN_UNSUP_VERSION);
	ck_assert_str_eq(info.text, "0004");

	info = decode_vec(VEC(MARKER, 0, 21, BGP_MSG_NOTIFICATION,
			      BGP_ERR_HOLD_TIMER, 0),
			  &ok);
	ck_assert(ok);
	ck_assert_str_eq(info.text, "");

	/* Long data is cut with "..." inside the text buffer. */
	uint8_t msg[BGP_NOTIFY_MIN_LEN + 1000];
	memset(msg, 0xff, BGP_MARKER_LEN);
	msg[16] = sizeof msg >> 8;
	msg[17] = sizeof msg & 0xff;
	msg[18] = BGP_MSG_NOTIFICATION;
	msg[19] = BGP_ERR_UPDATE;
	msg[20] = BGP_UPD_ERR_ATTR_LENGTH;
	memset(msg + 21, 0x5a, 1000);
	ck_assert(bgp_notify_decode(msg, sizeof msg, &info));
	size_t n = strlen(info.text);
	ck_assert_uint_lt(n, sizeof info.text);
	ck_assert_str_eq(info.text + n - 3, "...");
	ck_assert_uint_eq(info.text[0], '5');
}
END_TEST

START_TEST(decode_too_short)
{
	bool ok;
	struct bgp_notification_info info = decode_vec(
		VEC(MARKER, 0, 20, BGP_MSG_NOTIFICATION, BGP_ERR_CEASE), &ok);
	ck_assert(!ok);
	ck_assert_uint_eq(info.code, 0);
	info = decode_vec(VEC(MARKER), &ok);
	ck_assert(!ok);
	ck_assert(!bgp_notify_decode(NULL, 0, &info));
}
END_TEST

/* Every truncation and every single-octet change of a Hard Reset with a
 * shutdown message decodes safely (ASan watches the exact copies). */
START_TEST(decode_sweep)
{
	struct vec v = VEC(MARKER, 0, 30, BGP_MSG_NOTIFICATION, BGP_ERR_CEASE,
			   BGP_CEASE_HARD_RESET, BGP_ERR_CEASE,
			   BGP_CEASE_ADMIN_SHUTDOWN, 6, 0xe2, 0x82, 0xac, 'a',
			   'b', 'c');
	for (size_t n = 0; n <= v.len; n++) {
		uint8_t *buf = exact_copy(v.data, n);
		struct bgp_notification_info info;
		bool ok = bgp_notify_decode(buf, n, &info);
		ck_assert(ok == (n >= BGP_NOTIFY_MIN_LEN));
		ck_assert_uint_lt(strlen(info.text), sizeof info.text);
		free(buf);
	}
	uint8_t *buf = exact_copy(v.data, v.len);
	for (size_t i = BGP_HEADER_LEN; i < v.len; i++) {
		for (unsigned b = 0; b < 256; b += 7) {
			uint8_t keep = buf[i];
			buf[i] = (uint8_t)b;
			struct bgp_notification_info info;
			ck_assert(bgp_notify_decode(buf, v.len, &info));
			ck_assert_uint_lt(strlen(info.text), sizeof info.text);
			buf[i] = keep;
		}
	}
	free(buf);
}
END_TEST

/* Encode then decode gives the same code, subcode and message. */
START_TEST(round_trip)
{
	struct writer data = writer_init(0);
	bgp_shutdown_put(&data, "rules moved to the new controller");
	struct writer w = writer_init(0);
	ck_assert(bgp_notify_encode(&w, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET,
				    data.data, data.len, 0));
	struct bgp_notification_info info;
	ck_assert(bgp_notify_decode(w.data, w.len, &info));
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_ADMIN_RESET);
	ck_assert_str_eq(info.text, "rules moved to the new controller");
	writer_free(&w);
	writer_free(&data);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	ADD_CASE(s, "names", names_every_rfc_subcode, names_unknown);
	ADD_CASE(s, "encode", encode_hold_timer, encode_with_data,
		 encode_cut_to_max, encode_shutdown_communication,
		 encode_shutdown_cut, cease_hard_subcodes);
	ADD_CASE(s, "decode", decode_shutdown_message,
		 decode_shutdown_malformed, decode_hard_reset,
		 decode_other_data_hex, decode_too_short, decode_sweep,
		 round_trip);
	return s;
}

TEST_MAIN(notify_suite)
