/* codec.c: size-checked protobuf-c packing and unpacking (see codec.h). */
#include "codec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Reads a varint at *p (before end) into *ret; advances *p. False when it
 * runs past end or over 10 bytes. */
static bool s_varint(const uint8_t **p, const uint8_t *end, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 70 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return true;
		}
	}
	return false;
}

#define S_NUL_DEPTH 16   /* lnob's messages nest 4 deep at most */

/* Walks buf[0..len) as the wire form of desc, looking for a string field
 * (at any depth of sub-messages) holding a NUL byte. Returns true with its
 * dotted name in field[fieldlen] ("values.code"); false when there is none
 * or the bytes do not parse (protobuf-c judges those). */
static bool s_nul_walk(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
		       unsigned depth, char *field, size_t fieldlen)
{
	const uint8_t *p = buf, *end = buf + len;
	uint64_t key, n;

	while (p < end) {
		const ProtobufCFieldDescriptor *f;

		if (!s_varint(&p, end, &key))
			return false;
		switch (key & 7) {
		case 0:
			if (!s_varint(&p, end, &n))
				return false;
			continue;
		case 1:
		case 5:
			n = (key & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if (!s_varint(&p, end, &n))
				return false;
			break;
		default:
			return false;
		}
		if (n > (uint64_t)(end - p))
			return false;
		f = (key & 7) == 2 && key >> 3 <= UINT32_MAX
			? protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3)) : NULL;
		if (f && f->type == PROTOBUF_C_TYPE_STRING && memchr(p, '\0', (size_t)n)) {
			snprintf(field, fieldlen, "%s", f->name);
			return true;
		}
		if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && depth < S_NUL_DEPTH) {
			char sub[128];

			if (s_nul_walk(f->descriptor, p, (size_t)n, depth + 1, sub, sizeof(sub))) {
				/* A name cut short by fieldlen still names where it starts. */
				if ((size_t)snprintf(field, fieldlen, "%s.%s", f->name, sub) >= fieldlen)
					field[fieldlen - 1] = '\0';
				return true;
			}
		}
		p += n;
	}
	return false;
}

int codec_unpack_text(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
		      size_t max, ProtobufCMessage **ret, char *ret_field, size_t fieldlen)
{
	char field[128];

	if (ret_field && fieldlen)
		ret_field[0] = '\0';
	if (len > 0 && len <= max && s_nul_walk(desc, buf, len, 0, field, sizeof(field))) {
		if (ret_field && fieldlen)
			snprintf(ret_field, fieldlen, "%s", field);
		return LNOB_E_DECODE;
	}
	return codec_unpack(desc, buf, len, max, ret);
}
