/* libFuzzer harness for the NetFlow v5, NetFlow v9 and IPFIX decoders
 * (bgpd/collector/netflow5.c, netflow9.c, template.c) through
 * collector_input. Input: one octet choosing the version (v5, v9 or
 * IPFIX, by its value mod 3), then datagrams as collector_fuzz.h says;
 * each datagram gets that version as its first two octets. */
#include "collector_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t versions[3] = { 5, 9, 10 };
	if (size < 1)
		return 0;
	uint8_t prefix[2] = { 0, versions[data[0] % 3] };
	return fuzz_collector(data + 1, size - 1, prefix, sizeof prefix);
}
