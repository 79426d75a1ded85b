#ifndef SCALEFACE_CPNG_SHIM_H
#define SCALEFACE_CPNG_SHIM_H
#include <png.h>
#endif
