/* codec.c: size-checked protobuf-c packing and unpacking (see codec.h). */
#include "codec.h"

#include <errno.h>
#include <stdlib.h>

#include "lnob_err.h"

int codec_pack(const ProtobufCMessage *msg, uint8_t **ret_buf, size_t *ret_len)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(n ? n : 1);

	if (!buf)
		return -ENOMEM;
	protobuf_c_message_pack(msg, buf);
	*ret_buf = buf;
	*ret_len = n;
	return 0;
}

int codec_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
		 size_t len, size_t max, ProtobufCMessage **ret)
{
	ProtobufCMessage *m;

	if (len > max)
		return LNOB_E_TOOBIG;
	m = protobuf_c_message_unpack(desc, NULL, len, buf);
	if (!m)
		return LNOB_E_DECODE;
	*ret = m;
	return 0;
}
