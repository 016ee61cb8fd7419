#ifndef PASS_H
#define PASS_H
#include "mk.h"
#endif
