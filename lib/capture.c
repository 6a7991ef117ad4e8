/* Capture files through libpcap: see capture.h. */
#include "capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Link types (tcpdump.org/linktypes.html) and their headers. */
#define LINKTYPE_NULL 0			/* 4-octet host-order family */
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define LINKTYPE_LINUX_SLL 113		/* protocol type at octet 14 */
#define LINKTYPE_LINUX_SLL2 276		/* protocol type at octet 0 */
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define SLL_PROTO_OFF 14
#define NULL_HLEN 4
#define ETHERTYPE_IPV6 0x86dd

struct capture {
	pcap_t *pcap;
	int linktype;
	char *path;
};

struct capture *capture_open(const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		/* libpcap names the file in some messages, not in others. */
		if (strncmp(perr, path, strlen(path)) == 0)
			snprintf(err, errlen, "%s", perr);
		else
			snprintf(err, errlen, "%s: %s", path, perr);
		return NULL;
	}
	int lt = pcap_datalink(p);
	if (lt != LINKTYPE_NULL && lt != LINKTYPE_ETHERNET &&
	    lt != LINKTYPE_RAW && lt != LINKTYPE_LINUX_SLL &&
	    lt != LINKTYPE_LINUX_SLL2) {
		snprintf(err, errlen, "%s: link type %d is not supported",
			 path, lt);
		pcap_close(p);
		return NULL;
	}
	struct capture *c = calloc(1, sizeof *c);
	if (!c || !(c->path = strdup(path))) {
		free(c);
		pcap_close(p);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	c->pcap = p;
	c->linktype = lt;
	return c;
}

/* Strips the link header of a cooked or loopback frame; the rest is IP. */
static enum packet_link strip_link(int lt, struct reader *r)
{
	switch (lt) {
	case LINKTYPE_ETHERNET:
		return PACKET_ETHERNET;
	case LINKTYPE_LINUX_SLL: {
		struct reader h = sub(r, SLL_HLEN);
		skip(&h, SLL_PROTO_OFF);
		return get_u16(&h) == ETHERTYPE_IPV6 ? PACKET_IPV6
						      : PACKET_IPV4;
	}
	case LINKTYPE_LINUX_SLL2: {
		struct reader h = sub(r, SLL2_HLEN);
		return get_u16(&h) == ETHERTYPE_IPV6 ? PACKET_IPV6
						      : PACKET_IPV4;
	}
	case LINKTYPE_NULL:
		skip(r, NULL_HLEN);	/* the IP version tells the family */
		return PACKET_RAW;
	default:
		return PACKET_RAW;
	}
}

int capture_next(struct capture *c, struct capture_frame *f, char *err,
		 size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(c->pcap, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err, errlen, "%s: %s", c->path, pcap_geterr(c->pcap));
		return -1;
	}
	f->time_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	f->data = reader_init(data, h->caplen);
	f->link = strip_link(c->linktype, &f->data);
	if (f->data.err) {
		f->data = reader_init(NULL, 0);
		f->link = PACKET_RAW;
	}
	return 1;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	pcap_close(c->pcap);
	free(c->path);
	free(c);
}
