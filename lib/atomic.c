/* atomic.c: see atomic.h. */
#include "atomic.h"
