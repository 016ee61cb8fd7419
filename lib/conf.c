/* conf.c: see conf.h. */
#include "conf.h"
