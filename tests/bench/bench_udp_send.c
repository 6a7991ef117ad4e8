/* A flow exporter stand-in for the ingest benchmark: sends the UDP
 * payloads of a capture (in order, round after round, so templates come
 * with every round) to HOST:PORT from SRC at RATE datagrams per second
 * for SECONDS, paced in 1 ms steps, and prints
 *   sent DATAGRAMS ROUNDS RECORDS_PER_ROUND
 * where RECORDS_PER_ROUND comes from decoding one round with the
 * collector (so the receiver's count can be checked against it).
 *
 *   bench_udp_send CAPTURE HOST PORT SRC RATE SECONDS */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bgpd/collector/collector.h"
#include "lib/capture.h"
#include "lib/log.h"
#include "lib/packet.h"
#include "lib/sock.h"

#define DATAGRAMS_MAX 4096
#define IP_PROTO_UDP 17
#define STEP_NS 1000000L

struct datagram {
	uint8_t *data;
	size_t len;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: bench_udp_send CAPTURE HOST PORT SRC "
				"RATE SECONDS\n");
		return 2;
	}
	log_set_level(LOG_ERROR);
	static struct datagram dg[DATAGRAMS_MAX];
	char err[256];
	struct capture *cap = capture_open(argv[1], err, sizeof err);
	if (!cap) {
		fprintf(stderr, "bench_udp_send: %s\n", err);
		return 1;
	}
	struct collector_config cc;
	collector_config_init(&cc);
	struct collector *c = collector_new(&cc);
	struct capture_frame f;
	size_t n = 0, per_round = 0;
	while (n < DATAGRAMS_MAX && capture_next(cap, &f, err, sizeof err) == 1) {
		struct packet p;
		if (!packet_parse(f.data, f.link, &p) ||
		    p.proto != IP_PROTO_UDP || !p.has_l4)
			continue;
		dg[n].len = remaining(&p.payload);
		dg[n].data = malloc(dg[n].len ? dg[n].len : 1);
		get_bytes(&p.payload, dg[n].data, dg[n].len);
		per_round += collector_input(c, &p.src, dg[n].data, dg[n].len, 0);
		n++;
	}
	capture_close(cap);
	collector_free(c);

	struct addr host, src;
	if (!n || !addr_parse(&host, argv[2], strlen(argv[2])) ||
	    !addr_parse(&src, argv[4], strlen(argv[4]))) {
		fprintf(stderr, "bench_udp_send: no datagrams or bad address\n");
		return 1;
	}
	struct sockaddr_storage to, from;
	socklen_t tolen = sock_addr_to(&host, (uint16_t)atoi(argv[3]), &to);
	socklen_t fromlen = sock_addr_to(&src, 0, &from);
	int fd = socket(to.ss_family, SOCK_DGRAM, 0);
	int sndbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (fd < 0 || bind(fd, (struct sockaddr *)&from, fromlen) < 0) {
		perror("bench_udp_send: socket");
		return 1;
	}
	double rate = atof(argv[5]), secs = atof(argv[6]);
	double start = mono(), end = start + secs;
	uint64_t sent = 0;
	size_t i = 0;
	for (double now = start; now < end; now = mono()) {
		uint64_t due = (uint64_t)((now - start) * rate);
		while (sent < due) {
			if (sendto(fd, dg[i].data, dg[i].len, 0,
				   (struct sockaddr *)&to, tolen) < 0)
				continue;	/* ENOBUFS: try again */
			sent++;
			i = (i + 1) % n;
		}
		struct timespec step = { 0, STEP_NS };
		nanosleep(&step, NULL);
	}
	/* Finish the round, so the receiver's count is whole rounds. */
	while (i) {
		if (sendto(fd, dg[i].data, dg[i].len, 0,
			   (struct sockaddr *)&to, tolen) < 0)
			continue;
		sent++;
		i = (i + 1) % n;
	}
	printf("sent %llu %llu %zu\n", (unsigned long long)sent,
	       (unsigned long long)(sent / n), per_round);
	close(fd);
	return 0;
}
