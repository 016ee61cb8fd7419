/* json.c: see json.h. */
#include "json.h"
