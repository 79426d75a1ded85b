#ifndef SCALEFACE_CCAIRO_SHIM_H
#define SCALEFACE_CCAIRO_SHIM_H
#include <cairo.h>
#include <cairo-svg.h>
#endif
