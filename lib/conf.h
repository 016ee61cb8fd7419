#ifndef CONF_H
#define CONF_H
#include "mk.h"
#endif
