/* libFuzzer harness for the sFlow v5 decoder (bgpd/collector/sflow.c) and
 * the packet header parser it uses (lib/packet.c) through
 * collector_input. Input: datagrams as collector_fuzz.h says; each gets
 * the sFlow version 5 (four octets) in front. */
#include "collector_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t prefix[4] = { 0, 0, 0, 5 };
	return fuzz_collector(data, size, prefix, sizeof prefix);
}
