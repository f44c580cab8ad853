/* util_z85.c: lnob_z85_key() and lnob_unz85_key() (util.h), libzmq's Z85
 * of a CURVE key. Apart from util.c so that a program that never reads a
 * key file does not link libzmq (aggregator/main.c). */
#include "util.h"

#include <string.h>
#include <zmq.h>

#include "lnob_err.h"

char *lnob_z85_key(char out[41], const uint8_t key[32])
{
	return zmq_z85_encode(out, key, 32);
}

int lnob_unz85_key(uint8_t key[32], const char *z85)
{
	if (strlen(z85) != 40 || !zmq_z85_decode(key, z85))
		return LNOB_E_KEYFILE;
	return 0;
}
