#ifndef SCALEFACE_COPENBLAS_SHIM_H
#define SCALEFACE_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
