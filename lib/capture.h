/* Reading pcap and pcapng capture files (libpcap), frame by frame, with
 * the link-layer header the packet parser needs named. */
#ifndef LIB_CAPTURE_H
#define LIB_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/packet.h"
#include "lib/reader.h"

struct capture;

/* One frame; data is valid until the next capture_next or capture_close. */
struct capture_frame {
	int64_t time_us;	/* capture time, Unix microseconds */
	enum packet_link link;	/* what data starts with */
	struct reader data;	/* the captured octets */
};

/* Opens a pcap or pcapng file. NULL with a one-line reason in err (which
 * names the file) when it cannot be read or its link type is not one of
 * Ethernet, raw IP, Linux cooked (v1, v2) or BSD loopback. */
struct capture *capture_open(const char *path, char *err, size_t errlen);
/* The next frame: 1, or 0 at the end, or -1 with a reason in err. A frame
 * whose link header is cut short is passed as an empty raw frame. */
int capture_next(struct capture *c, struct capture_frame *f, char *err,
		 size_t errlen);
void capture_close(struct capture *c);	/* NULL-safe */

#endif
