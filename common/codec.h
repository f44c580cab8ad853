/*
 * codec.h: packing protobuf-c messages into heap buffers and unpacking them
 * with a size check first. Every decode in lnob goes through here.
 */
#ifndef LNOB_CODEC_H
#define LNOB_CODEC_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* Serializes msg into a new buffer the caller owns (free()).
 * Returns 0 or -ENOMEM. An empty message gives a non-NULL buffer of length 0. */
int codec_pack(const ProtobufCMessage *msg, uint8_t **ret_buf, size_t *ret_len);

/* Unpacks len bytes as desc, refusing more than max bytes (LNOB_E_TOOBIG)
 * and undecodable input (LNOB_E_DECODE). Caller frees *ret with
 * protobuf_c_message_free_unpacked(). */
int codec_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
		 size_t len, size_t max, ProtobufCMessage **ret);

/* As codec_unpack(), for what arrives from the network and is read as text
 * (a Report, Nomination or Stage body): also refuses (LNOB_E_DECODE) bytes
 * in which a string field, at any depth, holds a NUL byte, which C would
 * read as the string's end ("V11-0\0X" as unit "V11-0"). Then the field's
 * dotted name ("narrative", "values.code") is written to
 * ret_field[fieldlen] (when not NULL), else "" is. */
int codec_unpack_text(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
		      size_t max, ProtobufCMessage **ret, char *ret_field, size_t fieldlen);

#endif
