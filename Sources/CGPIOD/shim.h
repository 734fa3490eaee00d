#ifndef PORTERO_CGPIOD_SHIM_H
#define PORTERO_CGPIOD_SHIM_H
/* libgpiod v1.6 (Debian 12, Raspberry Pi OS). The v2 API is not source compatible. */
#include <gpiod.h>

/// GPIOD_BIT(n) is a macro; the request flags are bit positions in libgpiod 1.6.
static inline int portero_gpiod_flag_open_drain(void) { return GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN; }
static inline int portero_gpiod_flag_open_source(void) { return GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE; }
static inline int portero_gpiod_flag_active_low(void) { return GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW; }
static inline int portero_gpiod_flag_bias_disable(void) { return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE; }
static inline int portero_gpiod_flag_bias_pull_down(void) { return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN; }
static inline int portero_gpiod_flag_bias_pull_up(void) { return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP; }
#endif
