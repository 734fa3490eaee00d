#ifndef PORTERO_CUDEV_SHIM_H
#define PORTERO_CUDEV_SHIM_H
#include <libudev.h>
#endif
