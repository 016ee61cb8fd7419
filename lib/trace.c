/* trace.c: see trace.h. */
#include "trace.h"
