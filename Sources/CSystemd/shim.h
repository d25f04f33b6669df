#ifndef SSHLOG_CSYSTEMD_SHIM_H
#define SSHLOG_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>

/* sd-journal's open flags are an anonymous enum; Swift imports them with a type that varies by
 * compiler version. These give them a fixed type. */
static inline int sshlog_sd_journal_local_only(void) { return SD_JOURNAL_LOCAL_ONLY; }

/* SD_JOURNAL_FOREACH_DATA is a macro: this is one step of it. Returns what
 * sd_journal_enumerate_available_data returns: > 0 with *data / *length set (valid until the next
 * call on j), 0 at the end of the entry's fields, < 0 (a negative errno) on error. */
static inline int sshlog_sd_journal_next_field(sd_journal *j, const void **data, size_t *length) {
    return sd_journal_enumerate_available_data(j, data, length);
}

#endif
