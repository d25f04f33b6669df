#ifndef SSHLOG_CSYSTEMD_SHIM_H
#define SSHLOG_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>
#endif
