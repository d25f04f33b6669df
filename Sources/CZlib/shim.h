#ifndef SSHLOG_CZLIB_SHIM_H
#define SSHLOG_CZLIB_SHIM_H
#include <zlib.h>
#include <string.h>

/// inflateInit2 is a macro; Swift cannot call it. windowBits 15+32: zlib or gzip header, auto-detected.
static inline int sshlog_inflate_init(z_stream *strm) {
    memset(strm, 0, sizeof(*strm));
    return inflateInit2(strm, 15 + 32);
}
#endif
